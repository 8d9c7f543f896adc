import type { StoreSession } from '../../core/ports/store.ts';
import { agentRepo } from './agents.ts';
import { calendarRepo } from './calendars.ts';
import { channelRepo } from './channels.ts';
import { commandProcessRepo } from './command-processes.ts';
import { commandRepo } from './commands.ts';
import type { SqlContext } from './context.ts';
import { deliveryRepo } from './deliveries.ts';
import { deviceRepo } from './devices.ts';
import { enrolmentTokenRepo } from './enrolment-tokens.ts';
import { historyRepo } from './history.ts';
import { idempotencyRepo } from './idempotency.ts';
import { inventoryRepo } from './inventories.ts';
import { jobstateRepo } from './jobstates.ts';
import { lateJoinRepo } from './late-join.ts';
import { ledgerRepo } from './ledger.ts';
import { logRepo } from './logs.ts';
import { nodeRepo } from './nodes.ts';
import { orgRepo } from './orgs.ts';
import { packageRepo } from './packages.ts';
import { rolloutRepo } from './rollouts.ts';
import { runRepo } from './runs.ts';
import { taskRepo } from './tasks.ts';
import { tokenRepo } from './tokens.ts';
import { triggerRepo } from './triggers.ts';
import { userRepo } from './users.ts';

/** Every repo over one connection or transaction (`ctx.db` may be a kysely Transaction). */
export function createSession(ctx: SqlContext): StoreSession {
  return {
    orgs: orgRepo(ctx),
    users: userRepo(ctx),
    tokens: tokenRepo(ctx),
    agents: agentRepo(ctx),
    enrolmentTokens: enrolmentTokenRepo(ctx),
    commands: commandRepo(ctx),
    tasks: taskRepo(ctx),
    triggers: triggerRepo(ctx),
    runs: runRepo(ctx),
    jobstates: jobstateRepo(ctx),
    logs: logRepo(ctx),
    ledger: ledgerRepo(ctx),
    history: historyRepo(ctx),
    inventories: inventoryRepo(ctx),
    devices: deviceRepo(ctx),
    packages: packageRepo(ctx),
    nodes: nodeRepo(ctx),
    idempotency: idempotencyRepo(ctx),
    commandProcesses: commandProcessRepo(ctx),
    channels: channelRepo(ctx),
    deliveries: deliveryRepo(ctx),
    rollouts: rolloutRepo(ctx),
    calendars: calendarRepo(ctx),
    lateJoin: lateJoinRepo(ctx),
  };
}
