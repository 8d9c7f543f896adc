import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { WAKE_HEADERS } from './agent-constants.ts';

/**
 * The push-wake signature of protocol/agent.ts, shared by the server (which signs) and the
 * agent listener (which verifies): hex HMAC-SHA256 over `${timestamp}.${nonce}.${agentId}`,
 * keyed with the agent's **wake key** = `wakeKey(secret)`, the SHA-256 hex of its secret.
 * The server keeps only that hash (agents.secret_hash), never the secret, so it is the key
 * both sides have: the agent computes it from its secret, the server reads it from the store.
 * Pure apart from the random nonce of `wakeHeaders`.
 */

/** The HMAC key of an agent's wakes, derived from its secret (equal to the stored secret hash). */
export function wakeKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** How far the wake's timestamp may be from the verifier's clock. */
export const WAKE_MAX_SKEW_MS = 60_000;
/** How long a nonce is remembered; longer than twice the skew so a replay is always caught. */
export const WAKE_REPLAY_WINDOW_MS = 120_000;
const NONCE_PATTERN = /^[0-9a-f]{16,64}$/;

export function signWake(key: string, agentId: string, ts: number, nonce: string): string {
  return createHmac('sha256', key).update(`${ts}.${nonce}.${agentId}`).digest('hex');
}

/** The three headers of a wake, with a fresh 128-bit nonce unless one is given (tests). */
export function wakeHeaders(
  key: string,
  agentId: string,
  nowMs: number,
  nonce: string = randomBytes(16).toString('hex'),
): Record<string, string> {
  return {
    [WAKE_HEADERS.timestamp]: String(nowMs),
    [WAKE_HEADERS.nonce]: nonce,
    [WAKE_HEADERS.signature]: signWake(key, agentId, nowMs, nonce),
  };
}

/**
 * Nonces seen in the last `windowMs`. Only nonces of correctly signed wakes are recorded,
 * so someone without the secret cannot fill it.
 */
export class WakeReplayCache {
  private readonly seenUntil = new Map<string, number>();

  constructor(private readonly windowMs: number = WAKE_REPLAY_WINDOW_MS) {}

  /** True when `nonce` was already used; otherwise remembers it and answers false. */
  checkAndRemember(nonce: string, nowMs: number): boolean {
    this.prune(nowMs);
    if (this.seenUntil.has(nonce)) return true;
    this.seenUntil.set(nonce, nowMs + this.windowMs);
    return false;
  }

  get size(): number {
    return this.seenUntil.size;
  }

  private prune(nowMs: number): void {
    // Insertion order is expiry order (constant window), so stop at the first live entry.
    for (const [nonce, until] of this.seenUntil) {
      if (until > nowMs) break;
      this.seenUntil.delete(nonce);
    }
  }
}

export type WakeVerdict =
  | { ok: true }
  | { ok: false; reason: 'missing_headers' | 'bad_nonce' | 'skew' | 'signature' | 'replay' };

type HeaderBag = Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Checks a received wake (on the agent, which holds its secret): headers present, timestamp
 * within the skew, signature, then replay.
 */
export function verifyWake(input: {
  /** The agent's own secret; the key is derived from it (`wakeKey`). */
  secret: string;
  agentId: string;
  headers: HeaderBag;
  nowMs: number;
  replay: WakeReplayCache;
}): WakeVerdict {
  const tsText = header(input.headers, WAKE_HEADERS.timestamp);
  const nonce = header(input.headers, WAKE_HEADERS.nonce);
  const signature = header(input.headers, WAKE_HEADERS.signature);
  if (tsText === undefined || nonce === undefined || signature === undefined) {
    return { ok: false, reason: 'missing_headers' };
  }
  if (!NONCE_PATTERN.test(nonce)) return { ok: false, reason: 'bad_nonce' };
  const ts = /^\d{1,16}$/.test(tsText) ? Number(tsText) : Number.NaN;
  if (!Number.isFinite(ts) || Math.abs(input.nowMs - ts) > WAKE_MAX_SKEW_MS) return { ok: false, reason: 'skew' };
  const expected = Buffer.from(signWake(wakeKey(input.secret), input.agentId, ts, nonce), 'hex');
  const given = /^[0-9a-f]{64}$/.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'signature' };
  }
  if (input.replay.checkAndRemember(nonce, input.nowMs)) return { ok: false, reason: 'replay' };
  return { ok: true };
}
