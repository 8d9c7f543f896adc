// The notification part of the Store port (channels, the event queue, deliveries) and the
// Notifier port the server implements (webhook, email).
import type { RunStatus } from '../model.ts';
import type { MessageContent, RunEvent } from '../notify.ts';
import type { Page, Paged } from './store.ts';

export type ChannelKind = 'webhook' | 'email';

/** Where notifications go: an org's (its org-admin's), or global (the global admin's, usable by every org). */
export interface Channel {
  id: string;
  /** null = global. */
  orgId: string | null;
  name: string;
  kind: ChannelKind;
  /** webhook: where it POSTs. */
  url: string | null;
  /** email: the recipients. */
  to: string[];
  /** webhook: the HMAC key of X-Taskwarden-Signature. Write-only at the API. */
  secret: string | null;
  createdAt: number;
  updatedAt: number;
}

export type ChannelPatch = Partial<Pick<Channel, 'url' | 'to' | 'secret'>> & { updatedAt: number };

/** A run end waiting, in the queue, for its channel's next message. */
export interface QueuedEvent {
  channelId: string;
  runId: string;
  orgId: string;
  event: RunEvent;
  at: number;
}

/** pending: not tried yet; retrying: failed, tried again at nextAttemptAt; delivered; failed: given up. */
export type DeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'failed';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'retrying', 'delivered', 'failed'];

/** One message to one channel (one event, a digest of several, or a test) and how sending it went. */
export interface Delivery {
  id: string;
  channelId: string;
  orgId: string | null;
  status: DeliveryStatus;
  content: MessageContent;
  /** Run ends it tells (0 for a test). */
  eventCount: number;
  attempts: number;
  lastError: string | null;
  /** When it is (re)tried next; null once it ended. */
  nextAttemptAt: number | null;
  deliveredAt: number | null;
  /** The node sending it right now, until leaseExpiresAt; another node may take it over after. */
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** The end of one attempt, written only while the attempt's lease is still the writer's. */
export interface AttemptEnd {
  status: Exclude<DeliveryStatus, 'pending'>;
  lastError: string | null;
  nextAttemptAt: number | null;
  deliveredAt: number | null;
  updatedAt: number;
}

export interface DeliveryFilter {
  /** The org's deliveries (and those of global channels); undefined = every org. */
  orgId?: string | undefined;
  channelId?: string | undefined;
  status?: DeliveryStatus[] | undefined;
}

export interface ChannelRepo {
  /** Fails with `conflict` when the org (or the global scope) has a channel of that name. */
  create(channel: Channel): Promise<Channel>;
  get(id: string): Promise<Channel | null>;
  /** The org's channel of that name, else the global one. */
  resolve(orgId: string, name: string): Promise<Channel | null>;
  /** The org's channels and the global ones, by id; orgId null = the global ones only. */
  list(orgId: string | null, page: Page): Promise<Paged<Channel>>;
  update(id: string, patch: ChannelPatch): Promise<boolean>;
  /** Deletes the channel with its queued events and its deliveries. */
  delete(id: string): Promise<void>;
}

export interface DeliveryRepo {
  /** Queues run ends; one already queued for the same (channel, run) is kept as it is. */
  enqueue(events: readonly QueuedEvent[]): Promise<void>;
  /** The status of the task's latest ended run (finished, error or missed) fired before `run`; null if none. */
  previousOutcome(taskId: string, run: { id: string; fireAt: number }): Promise<RunStatus | null>;
  /**
   * Takes the queued events of up to `channels` channels whose digest window is open (its
   * next message allowed at or before `now`), oldest first and up to `perChannel` each, off
   * the queue, and moves each such channel's window to now + windowMs. Inside a transaction,
   * where the backend can, the channels taken are locked and skipped by other takers: two
   * nodes never take the same events.
   */
  takeQueued(
    now: number,
    windowMs: number,
    limits: { channels: number; perChannel: number },
  ): Promise<{ channel: Channel; events: QueuedEvent[] }[]>;
  /** Whether takeQueued(now, …) would take anything: a read, so that an idle node's passes write nothing. */
  hasQueued(now: number): Promise<boolean>;
  insert(delivery: Delivery): Promise<void>;
  get(id: string): Promise<Delivery | null>;
  /**
   * Leases up to `limit` deliveries due (pending or retrying, nextAttemptAt <= now, no live
   * lease) to `owner` until `leaseUntil`, counting an attempt each. Two claimers never get the same one.
   */
  claimDue(owner: string, now: number, leaseUntil: number, limit: number): Promise<Delivery[]>;
  /** Writes an attempt's end if `owner` still holds the delivery's lease; whether it did. */
  endAttempt(id: string, owner: string, end: AttemptEnd): Promise<boolean>;
  /** Newest first. */
  list(filter: DeliveryFilter, page: Page): Promise<Paged<Delivery>>;
  /** Earliest time a delivery is due, its lease runs out, or a channel with queued events may send. */
  nextDueAt(): Promise<number | null>;
  /** Forgets up to `limit` ended deliveries last changed before `before`; returns how many. */
  deleteEndedBefore(before: number, limit: number): Promise<number>;
}

/** A refusal no retry can change (a destination the allow list refuses, no mail server set up). */
export class DeliveryRefused extends Error {
  override readonly name = 'DeliveryRefused';
}

/** Sends one message to one channel; rejects with why it failed (a DeliveryRefused is final). */
export interface Notifier {
  send(message: { deliveryId: string; channel: Channel; content: MessageContent }, signal: AbortSignal): Promise<void>;
}
