/**
 * The PROLOG reply (FusionInventory/Agent.pm runTarget, Task/*.pm isEnabled): PROLOG_FREQ is
 * the contact period in hours; RESPONSE SEND asks for an inventory (any other value skips
 * the Inventory task); each OPTION hands one job to the task that knows its NAME.
 */
import type { ReplyNode } from '../../core/fusioninventory-reply.ts';
import { buildReply } from './xml.ts';

export interface PrologPlan {
  frequencyHours: number;
  sendInventory: boolean;
  options: ReplyNode[];
}

/** The agent counts its period in whole hours; Taskwarden's contactSeconds round up to one. */
export function prologFrequencyHours(contactSeconds: number): number {
  return Math.max(1, Math.ceil(contactSeconds / 3600));
}

export function prologReply(plan: PrologPlan): string {
  return buildReply({
    RESPONSE: plan.sendInventory ? 'SEND' : 'NO_UPDATE',
    PROLOG_FREQ: plan.frequencyHours,
    ...(plan.options.length > 0 ? { OPTION: plan.options } : {}),
  });
}

/** What every other message gets: the agent only checks that a REPLY came back. */
export function emptyReply(): string {
  return buildReply({});
}
