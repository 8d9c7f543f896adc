import type { Role } from '../model.ts';
import type { Page, Paged } from './page.ts';

export interface User {
  id: string;
  /** null for global admins. */
  orgId: string | null;
  name: string;
  role: Role;
  passwordHash: string | null;
  disabled: boolean;
  createdAt: number;
}

export interface ApiToken {
  id: string;
  userId: string;
  name: string;
  /** SHA-256 hex of the secret; the secret itself is shown once and never stored. */
  hash: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface UserRepo {
  create(user: User): Promise<User>;
  get(id: string): Promise<User | null>;
  /** User names are unique across the whole server (they log in by name). */
  getByName(name: string): Promise<User | null>;
  /** The org's users; orgId null = the global ones (no org). */
  list(orgId: string | null, page: Page): Promise<Paged<User>>;
  update(id: string, patch: Partial<Pick<User, 'role' | 'passwordHash' | 'disabled'>>): Promise<void>;
  count(): Promise<number>;
}

export interface TokenRepo {
  create(token: ApiToken): Promise<ApiToken>;
  findByHash(hash: string): Promise<ApiToken | null>;
  get(id: string): Promise<ApiToken | null>;
  listForUser(userId: string, page: Page): Promise<Paged<ApiToken>>;
  revoke(id: string, at: number): Promise<void>;
  touch(id: string, at: number): Promise<void>;
}
