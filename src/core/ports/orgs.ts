import type { NotifyRule } from '../model.ts';
import type { Page, Paged } from './page.ts';

export interface Org {
  id: string;
  name: string;
  createdAt: number;
}

export interface OrgRepo {
  create(org: Org): Promise<Org>;
  get(id: string): Promise<Org | null>;
  getByName(name: string): Promise<Org | null>;
  list(page: Page): Promise<Paged<Org>>;
  /** The org's settings (defaults for an org never configured); null for an unknown org. */
  settings(id: string): Promise<OrgSettings | null>;
  updateSettings(id: string, patch: Partial<OrgSettings>): Promise<void>;
  /** Records that the install was seeded with default `name`; false when it already was. */
  markSeeded(name: string, at: number): Promise<boolean>;
  seeded(name: string): Promise<boolean>;
}

/** What the global admin alone decides for an org, and (notify) what its org-admin does. */
export interface OrgSettings {
  /** Absolute, normalised folders deploy packages may extract to on agents (besides each agent's package root). */
  extractPrefixes: string[];
  /** Bytes the org's package files may take; null = the server's default. */
  packageQuota: number | null;
  /** Notification rules of the org's tasks that have none of their own (set by its org-admin). */
  notify: NotifyRule[];
  /** Its roles see the global tasks, read-only (set by its org-admin; off by default). */
  showGlobalTasks: boolean;
}
