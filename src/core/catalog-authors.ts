import type { CatalogCommand } from './ports/store.ts';

/**
 * Who may define what in the command catalog (issue 12): the server's own machine runs only
 * what the global admin decided; org-admins define commands for their org's agents.
 */

export type RunsOn = CatalogCommand['runsOn'];

/** Who writes a catalog entry: what it may say depends on it (catalogOptionsFor). */
export interface CatalogAuthor {
  globalAdmin: boolean;
}

export interface CatalogOptions {
  /** The runsOn of an entry that does not say. */
  defaultRunsOn: RunsOn;
  /** Whether the author may define entries that run on the server (runsOn server or both). */
  serverCommands: boolean;
}

/**
 * The one place that decides what an author may define (issue 12: the server's own machine
 * runs only what the global admin decided). An org-admin defines commands for the org's
 * agents: an entry that says nothing runs on agents, and runsOn server or both is refused
 * (403). The global admin defines anything; an entry of his that says nothing runs on the
 * server, as it always did.
 */
export function catalogOptionsFor(author: CatalogAuthor): CatalogOptions {
  return author.globalAdmin
    ? { defaultRunsOn: 'server', serverCommands: true }
    : { defaultRunsOn: 'agent', serverCommands: false };
}

/**
 * Whether the server may run this entry: the global admin defined it, to run there. An
 * org-admin's entry never does, whatever its runsOn says (rows from before this rule).
 * The stores' `resolveForServer` selects by the same rule.
 */
export function mayRunOnServer(command: Pick<CatalogCommand, 'runsOn' | 'definedByAdmin'>): boolean {
  return command.definedByAdmin && command.runsOn !== 'agent';
}
