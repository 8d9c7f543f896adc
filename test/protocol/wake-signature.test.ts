// The push-wake signature both sides share: a good wake passes once, anything altered,
// stale, replayed or signed with another key is refused with the reason.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { WAKE_HEADERS } from '../../src/protocol/agent.ts';
import { signWake, verifyWake, WakeReplayCache, wakeHeaders, wakeKey } from '../../src/protocol/wake-signature.ts';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const AGENT = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const SECRET = 'the-agent-secret';
/** What the server signs with: the stored hash of the secret. */
const KEY = wakeKey(SECRET);

function verify(
  headers: Record<string, string | undefined>,
  opts: { secret?: string; now?: number; replay?: WakeReplayCache } = {},
) {
  return verifyWake({
    secret: opts.secret ?? SECRET,
    agentId: AGENT,
    headers,
    nowMs: opts.now ?? NOW,
    replay: opts.replay ?? new WakeReplayCache(),
  });
}

describe('wake signature', () => {
  test('the wake key is the SHA-256 hex of the secret, as the server stores it', () => {
    assert.equal(KEY, createHash('sha256').update(SECRET).digest('hex'));
    const signedWithSecret = wakeHeaders(SECRET, AGENT, NOW);
    assert.deepEqual(verify(signedWithSecret), { ok: false, reason: 'signature' }, 'the raw secret is not the key');
  });

  test('a signed wake verifies once; the same nonce again is a replay', () => {
    const replay = new WakeReplayCache();
    const headers = wakeHeaders(KEY, AGENT, NOW);
    assert.match(headers[WAKE_HEADERS.nonce] as string, /^[0-9a-f]{32}$/);
    assert.deepEqual(verify(headers, { replay }), { ok: true });
    assert.deepEqual(verify(headers, { replay, now: NOW + 1000 }), { ok: false, reason: 'replay' });
    assert.deepEqual(verify(wakeHeaders(KEY, AGENT, NOW), { replay }), { ok: true }, 'a fresh nonce passes');
  });

  test('another key, another agent id or an altered field fails the signature', () => {
    const headers = wakeHeaders(KEY, AGENT, NOW, 'a'.repeat(32));
    assert.deepEqual(verify(headers, { secret: 'another-secret' }), { ok: false, reason: 'signature' });
    const forOther = wakeHeaders(KEY, 'another-agent', NOW, 'b'.repeat(32));
    assert.deepEqual(verify(forOther), { ok: false, reason: 'signature' });
    assert.deepEqual(verify({ ...headers, [WAKE_HEADERS.timestamp]: String(NOW + 1) }), {
      ok: false,
      reason: 'signature',
    });
    assert.deepEqual(verify({ ...headers, [WAKE_HEADERS.signature]: 'zz' }), { ok: false, reason: 'signature' });
  });

  test('a timestamp more than 60 s off is refused, in either direction', () => {
    assert.deepEqual(verify(wakeHeaders(KEY, AGENT, NOW - 60_001)), { ok: false, reason: 'skew' });
    assert.deepEqual(verify(wakeHeaders(KEY, AGENT, NOW + 60_001)), { ok: false, reason: 'skew' });
    assert.deepEqual(verify(wakeHeaders(KEY, AGENT, NOW - 60_000)), { ok: true });
    assert.deepEqual(verify({ ...wakeHeaders(KEY, AGENT, NOW), [WAKE_HEADERS.timestamp]: '1e12' }), {
      ok: false,
      reason: 'skew',
    });
  });

  test('missing headers and malformed nonces are refused before any HMAC', () => {
    const headers = wakeHeaders(KEY, AGENT, NOW);
    assert.deepEqual(verify({ ...headers, [WAKE_HEADERS.signature]: undefined }), {
      ok: false,
      reason: 'missing_headers',
    });
    const short = { ...headers, [WAKE_HEADERS.nonce]: 'abc' };
    assert.deepEqual(verify(short), { ok: false, reason: 'bad_nonce' });
    const replay = new WakeReplayCache();
    assert.equal(
      verify({ ...headers, [WAKE_HEADERS.signature]: signWake('x', AGENT, NOW, 'c'.repeat(32)) }, { replay }).ok,
      false,
    );
    assert.equal(replay.size, 0, 'a badly signed wake leaves no nonce behind');
  });

  test('the replay cache forgets nonces after its window', () => {
    const replay = new WakeReplayCache(120_000);
    assert.equal(replay.checkAndRemember('n1', NOW), false);
    assert.equal(replay.checkAndRemember('n1', NOW + 119_999), true);
    assert.equal(replay.checkAndRemember('n2', NOW + 120_000), false);
    assert.equal(replay.size, 1, 'n1 expired and was pruned');
  });
});
