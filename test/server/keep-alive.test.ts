// Thousands of long-polling agents on keep-alive connections (a child process, so client
// and server do not share an event loop): every contact answered, no connect error, no
// reset, and each agent's second contact goes over the connection of its first.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { AgentClient } from '../../src/client/agent-client.ts';
import { DEFAULT_HTTP_LIMITS } from '../../src/server/http-limits.ts';
import { type AgentServer, startAgentServer } from '../support/agent-protocol.ts';

/**
 * 400 by default, so the file takes seconds on a 2-core runner; CLIENTS=3000 for the full
 * check. (Connections a busy server accepted but could not read in time are no longer cut
 * with a 408: test/server/busy-server-connections.test.ts.)
 */
const CLIENTS = Number(process.env.CLIENTS ?? 400);
const ROUNDS = 2;
const WAIT_SECONDS = 2;
const CLIENT_SCRIPT = join(import.meta.dirname, '../fixtures/long-poll-clients.ts');

describe('keep-alive connections at fleet scale', () => {
  let s: AgentServer;
  before(async () => {
    // Every client connects from 127.0.0.1, as a fleet behind one NAT would, under the
    // default per-address cap (a quarter of the file limit: http-limits.ts).
    s = await startAgentServer();
  });
  after(() => s.cleanup());

  test(`${CLIENTS} agents long-poll at once over keep-alive connections: 0 errors, one connection each`, async () => {
    const cap = DEFAULT_HTTP_LIMITS.maxConnectionsPerAddress;
    assert.ok(cap >= CLIENTS, `the default cap (${cap}) is below ${CLIENTS} clients: raise the file limit (ulimit -n)`);
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

  test("the agent's own client keeps its connection from one contact to the next", async () => {
    const agent = await s.enrol();
    const [agentId, secret] = agent.credential.split('.') as [string, string];
    const client = new AgentClient({ server: s.base, credential: { agentId, secret } });
    let connections = 0;
    const count = () => connections++;
    s.app.server.on('connection', count);
    try {
      for (let i = 0; i < 5; i++)
        await client.contact({ version: '1.0.0', modules: ['command'], running: [], wait: 0 });
    } finally {
      s.app.server.off('connection', count);
    }
    assert.equal(connections, 1);
  });
});
