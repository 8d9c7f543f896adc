// Thousands of long-polling agents on keep-alive connections (a child process, so client
// and server do not share an event loop): every contact answered, no connect error, no
// reset, and each agent's second contact goes over the connection of its first.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type AgentServer, startAgentServer } from '../support/agent-protocol.ts';

const CLIENTS = Number(process.env.CLIENTS ?? 3000);
const ROUNDS = 2;
const WAIT_SECONDS = 2;
const CLIENT_SCRIPT = join(import.meta.dirname, '../fixtures/long-poll-clients.ts');

describe('keep-alive connections at fleet scale', () => {
  let s: AgentServer;
  before(async () => {
    // Every client connects from 127.0.0.1, as a fleet behind one NAT would: no per-address cap.
    s = await startAgentServer({ limits: { maxConnectionsPerAddress: 0 } });
  });
  after(() => s.cleanup());

  test(`${CLIENTS} agents long-poll at once over keep-alive connections: 0 errors, one connection each`, async () => {
    const agent = await s.enrol();
    let connections = 0;
    s.app.server.on('connection', () => connections++);
    const args = [CLIENT_SCRIPT, s.base, agent.credential, String(CLIENTS), String(WAIT_SECONDS), String(ROUNDS)];
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', ...args], {
      timeout: 180_000,
    });
    const result = JSON.parse(stdout);
    assert.deepEqual(result, { statuses: { 200: CLIENTS * ROUNDS }, errors: 0, firstErrors: [] });
    assert.equal(connections, CLIENTS, 'each agent kept its connection for its next contact');
  });
});
