import crypto, { randomBytes } from 'node:crypto';

/** argon2 is loaded at the first password: its native addon took a fifth of a second of every server start. */
let argon2: Promise<typeof import('@node-rs/argon2')> | null = null;
const loadArgon2 = () => {
  argon2 ??= import('@node-rs/argon2');
  return argon2;
};

/**
 * Secrets (API tokens, session tokens) are 256 random bits, shown once and stored as their
 * SHA-256: they are too long to guess, so a fast hash is enough and lookups stay one index
 * probe. Passwords are short and guessable, so they get argon2id (the library's default).
 */
export function newSecret(): string {
  return `tw_${randomBytes(32).toString('base64url')}`;
}

/**
 * `crypto.hash` (Node ≥ 20.12) hashes a short string in a third of `createHash`'s time, and
 * every agent call hashes its credential; older Nodes keep `createHash`.
 */
export const hashSecret: (secret: string) => string =
  typeof crypto.hash === 'function'
    ? (secret) => crypto.hash('sha256', secret)
    : (secret) => crypto.createHash('sha256').update(secret).digest('hex');

export async function hashPassword(password: string): Promise<string> {
  return (await loadArgon2()).hash(password);
}

/** A stand-in hash checked when the user does not exist, so a wrong name takes as long as a wrong password. */
let decoyHash: Promise<string> | null = null;

export async function verifyPassword(storedHash: string | null, password: string): Promise<boolean> {
  const { hash, verify } = await loadArgon2();
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
