import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/**
 * Secrets (API tokens, session tokens) are 256 random bits, shown once and stored as their
 * SHA-256: they are too long to guess, so a fast hash is enough and lookups stay one index
 * probe. Passwords are short and guessable, so they get argon2id (the library's default).
 */
export function newSecret(): string {
  return `tw_${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** A stand-in hash checked when the user does not exist, so a wrong name takes as long as a wrong password. */
let decoyHash: Promise<string> | null = null;

export async function verifyPassword(storedHash: string | null, password: string): Promise<boolean> {
  if (storedHash === null) {
    decoyHash ??= hash('taskwarden-decoy-password');
    await verify(await decoyHash, password);
    return false;
  }
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}
