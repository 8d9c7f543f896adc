import type { Page, Paged } from './page.ts';

export interface CatalogCommand {
  id: string;
  /** null = global command (admin-defined, visible to every org). */
  orgId: string | null;
  name: string;
  description: string;
  argv: string[];
  /** JSON schema of each `{param}`. */
  params: Record<string, Record<string, unknown>>;
  runsOn: 'server' | 'agent' | 'both';
  timeoutSeconds: number;
  /**
   * The global admin wrote this entry (every global one; an org's when the admin defined it
   * with `?org=`). Only such entries run on the server: see `mayRunOnServer` (core/catalog-authors.ts).
   */
  definedByAdmin: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface CommandRepo {
  /** Inserts or replaces by (orgId, name). */
  upsert(command: CatalogCommand): Promise<CatalogCommand>;
  /** The org's command of that name, else the global one. */
  resolve(orgId: string, name: string): Promise<CatalogCommand | null>;
  /**
   * The command of that name the org's jobs may run on the server: the org's entry if the
   * global admin defined it to run there (runsOn server or both), else such a global one.
   * An org-admin's entry of the same name is never returned and shadows nothing here.
   */
  resolveForServer(orgId: string, name: string): Promise<CatalogCommand | null>;
  get(id: string): Promise<CatalogCommand | null>;
  /** The org's commands and the global ones; orgId null = global ones only. */
  list(orgId: string | null, page: Page): Promise<Paged<CatalogCommand>>;
  delete(id: string): Promise<void>;
}
