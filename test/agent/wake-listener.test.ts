// The push-wake listener over a real socket: a wake signed with this agent's key wakes it;
// a forged, stale, replayed or unsigned one, or one for another agent, is refused (401)
// and wakes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startWakeListener, type WakeListener } from '../../src/agent/wake-listener.ts';
import { FakeClock } from '../../src/core/clock.ts';
import { wakeHeaders, wakeKey } from '../../src/protocol/wake-signature.ts';
import { memoryLog } from './protocol-stub.ts';

const AGENT = 'agent-1';
const SECRET = 'secret-of-agent-1';

describe('wake listener', () => {
  const clock = new FakeClock('2026-12-01T10:00:00Z');
  const { log, lines } = memoryLog();
  let listener: WakeListener;
  let wakes = 0;
  let url: string;

  before(async () => {
    listener = await startWakeListener({
      host: '127.0.0.1',
      port: 0,
      agentId: AGENT,
      secret: SECRET,
      clock,
      log,
      onWake: () => wakes++,
    });
    url = `http://127.0.0.1:${listener.address.port}`;
  });
  after(() => listener.close());

  async function wake(headers: Record<string, string>, path = '/wake', method = 'POST') {
    const before = wakes;
    const res = await fetch(`${url}${path}`, { method, headers });
    await res.text();
    return { status: res.status, woke: wakes - before };
  }

  const signed = (opts: { key?: string; agentId?: string; ts?: number; nonce?: string } = {}) =>
    wakeHeaders(opts.key ?? wakeKey(SECRET), opts.agentId ?? AGENT, opts.ts ?? clock.now(), opts.nonce);

  test('a wake signed with the key derived from the secret wakes the agent (204)', async () => {
    assert.deepEqual(await wake(signed()), { status: 204, woke: 1 });
  });

  test('the same wake again is a replay: refused', async () => {
    const headers = signed({ nonce: 'a'.repeat(32) });
    assert.deepEqual(await wake(headers), { status: 204, woke: 1 });
    assert.deepEqual(await wake(headers), { status: 401, woke: 0 });
    assert.ok(lines.some((l) => l.includes('replay')));
  });

  test('forged: signed with another key, or for another agent, or not signed', async () => {
    assert.deepEqual(await wake(signed({ key: wakeKey('guessed') })), { status: 401, woke: 0 });
    assert.deepEqual(await wake(signed({ key: SECRET })), { status: 401, woke: 0 }, 'the raw secret is not the key');
    assert.deepEqual(await wake(signed({ agentId: 'agent-2' })), { status: 401, woke: 0 });
    assert.deepEqual(await wake({}), { status: 401, woke: 0 });
    const tampered = { ...signed(), 'x-taskwarden-timestamp': String(clock.now() + 1) };
    assert.deepEqual(await wake(tampered), { status: 401, woke: 0 });
  });

  test('stale: more than 60 s off the agent clock either way', async () => {
    assert.deepEqual(await wake(signed({ ts: clock.now() - 61_000 })), { status: 401, woke: 0 });
    assert.deepEqual(await wake(signed({ ts: clock.now() + 61_000 })), { status: 401, woke: 0 });
    assert.deepEqual(await wake(signed({ ts: clock.now() - 59_000 })), { status: 204, woke: 1 });
  });

  test('anything but POST /wake is not a wake', async () => {
    assert.deepEqual(await wake(signed(), '/other'), { status: 404, woke: 0 });
    assert.deepEqual(await wake(signed(), '/wake', 'GET'), { status: 405, woke: 0 });
  });
});
