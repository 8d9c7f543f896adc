import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../core/clock.ts';
import { newId } from '../core/ids.ts';
import type { Store, StoreSession } from '../core/ports/store.ts';
import { hashSecret, newSecret } from './secrets.ts';

export const ADMIN_USER = 'admin';
export const ADMIN_TOKEN_FILE = 'admin.token';

/**
 * First start: an empty store gets the global admin, and that user's API token is written
 * to `<dataDir>/admin.token`, readable by the owner only. Returns the file's path, or null
 * when the store already had users (the token is never written twice).
 */
export async function ensureAdmin(store: Store, dataDir: string, clock: Clock): Promise<string | null> {
  if ((await store.users.count()) > 0) return null;
  const now = clock.now();
  const file = join(dataDir, ADMIN_TOKEN_FILE);
  await store.transaction(async (tx) => {
    const user = await tx.users.create({
      id: newId(),
      orgId: null,
      name: ADMIN_USER,
      role: 'admin',
      passwordHash: null,
      disabled: false,
      createdAt: now,
    });
    // Written before the transaction commits: if writing fails, no admin exists whose token nobody has.
    await issueTokenFile(tx.tokens, { userId: user.id, name: 'initial admin token', file, now });
  });
  return file;
}

/** A new API token of `userId` (no expiry), its secret written to `file` (owner-only); the store keeps the hash only. */
export async function issueTokenFile(
  tokens: StoreSession['tokens'],
  token: { userId: string; name: string; file: string; now: number },
): Promise<void> {
  const secret = newSecret();
  await tokens.create({
    id: newId(),
    userId: token.userId,
    name: token.name,
    hash: hashSecret(secret),
    createdAt: token.now,
    expiresAt: null,
    revokedAt: null,
    lastUsedAt: null,
  });
  await writeTokenFile(token.file, secret);
}

/** A fresh file renamed over any old one, so the mode is always 0600 (writeFile keeps an old file's mode). */
export async function writeTokenFile(file: string, secret: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  await rename(temporary, file);
}
