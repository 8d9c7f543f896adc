// The wake URL an agent announces: its listener's own address, or, for a listener on every
// address, the address this machine reaches the server from (what the server checks it against).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wakeUrlFor } from '../../src/agent/wake-address.ts';

test('a listener on one address is announced there; one on every address at the route to the server', async () => {
  assert.equal(await wakeUrlFor({ host: '127.0.0.2', port: 62354 }, 'http://127.0.0.1:8080'), 'http://127.0.0.2:62354');
  assert.equal(await wakeUrlFor({ host: '0.0.0.0', port: 62354 }, 'http://127.0.0.1:8080'), 'http://127.0.0.1:62354');
  assert.equal(await wakeUrlFor({ host: '0.0.0.0', port: 5000 }, 'https://127.0.0.1'), 'http://127.0.0.1:5000');
});
