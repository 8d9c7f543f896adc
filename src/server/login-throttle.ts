import type { RateLimitOptions } from '@fastify/rate-limit';
import { TaskwardenError } from '../core/errors.ts';
import { clientKey } from './client-address.ts';
import type { HttpLimits } from './http-limits.ts';

/** Names and addresses remembered at most: invented names cannot grow the tables without end. */
const MAX_TRACKED = 20_000;
/** Addresses remembered per name as ones it signed in from. */
const MAX_KNOWN_ADDRESSES = 8;

/**
 * Per address, with @fastify/rate-limit: at most `loginAttemptsPerAddress` login attempts
 * (right or wrong) per window, then 429 with Retry-After until the window ends. The
 * lockout is logged once (event `login_lockout`), not once per refused attempt.
 */
export function loginRateLimit(limits: HttpLimits): RateLimitOptions {
  const lockedOut = new Map<string, true>();
  return {
    max: limits.loginAttemptsPerAddress,
    timeWindow: limits.loginAddressWindowMs,
    cache: MAX_TRACKED,
    keyGenerator: (request) => clientKey(request.ip),
    onExceeding: (_request, address) => lockedOut.delete(address),
    onExceeded: (request, address) => {
      if (lockedOut.has(address)) return;
      remember(lockedOut, address, true);
      request.log.warn({ event: 'login_lockout', address }, 'login attempts refused for an address');
    },
    errorResponseBuilder: () =>
      new TaskwardenError(
        'rate_limited',
        'too many login attempts from this address; try again after the seconds Retry-After gives',
      ),
  };
}

/**
 * Per name: after `max` failed logins within `windowMs`, from any addresses, the name is
 * locked until the oldest of them is older than the window (a sliding window, so the lock
 * ends at most `windowMs` after the last failure; refused attempts do not extend it).
 * An address the name signed in from before is not locked out, so an attacker guessing
 * from elsewhere cannot keep the real user out. Names that do not exist are tracked
 * alike, so a lockout tells nothing about which names exist.
 */
export class LoginLockouts {
  private readonly failures = new Map<string, number[]>();
  private readonly knownAddresses = new Map<string, string[]>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Milliseconds until `name` may try again from `address`; 0 = now. */
  waitMs(name: string, address: string, now: number): number {
    if (this.knownAddresses.get(name)?.includes(address)) return 0;
    const recent = this.recent(name, now);
    const oldest = recent[recent.length - this.max];
    return oldest === undefined ? 0 : oldest + this.windowMs - now;
  }

  /** Records a failure; true when it is the one that locks the name. */
  fail(name: string, now: number): boolean {
    const recent = [...this.recent(name, now), now];
    remember(this.failures, name, recent.slice(-this.max));
    return recent.length === this.max;
  }

  succeed(name: string, address: string): void {
    const known = (this.knownAddresses.get(name) ?? []).filter((a) => a !== address);
    remember(this.knownAddresses, name, [...known, address].slice(-MAX_KNOWN_ADDRESSES));
  }

  private recent(name: string, now: number): number[] {
    return (this.failures.get(name) ?? []).filter((at) => at > now - this.windowMs);
  }
}

/** Sets `key` as the newest entry, dropping the oldest one past MAX_TRACKED. */
function remember<T>(map: Map<string, T>, key: string, value: T): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_TRACKED) map.delete(map.keys().next().value as string);
}

/** The 429 of a locked name, its Retry-After in whole seconds. */
export function nameLockedError(name: string, waitMs: number): { error: TaskwardenError; retryAfter: number } {
  const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
  return {
    error: new TaskwardenError('rate_limited', `too many failed logins for "${name}"; try again in ${retryAfter} s`),
    retryAfter,
  };
}
