// The agent credentials of requests arriving together are read together (agent-auth.ts
// agentCredentials): one statement for a burst of contacts, and still each request is the
// agent its own credential names. Another agent's id with a valid secret, an unknown
// secret and a disabled agent are refused inside the same burst as before.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Store } from '../../src/core/ports/store.ts';
import { type AgentServer, startAgentServer, type TestAgent } from '../support/agent-protocol.ts';

const AGENTS = 40;
let s: AgentServer;
let agents: TestAgent[];
before(async () => {
  s = await startAgentServer();
  agents = [];
  for (let i = 0; i < AGENTS; i++) agents.push(await s.enrol({ tags: ['fleet'] }));
});
after(() => s.cleanup());

/** The number of credentials each agents read by secret asked for. */
function countCredentialReads(store: Store): { calls: number[]; restore(): void } {
  const { agents: repo } = store;
  const read = repo.getManyBySecretHash;
  const calls: number[] = [];
  repo.getManyBySecretHash = (hashes) => {
    calls.push(hashes.length);
    return read.call(repo, hashes);
  };
  return { calls, restore: () => (repo.getManyBySecretHash = read) };
}

function contact(credential: string, version: string) {
  return s.app.inject({
    method: 'POST',
    url: '/agent/v1/contact',
    headers: { authorization: `Bearer ${credential}` },
    payload: { version, modules: ['command'], running: [], capacity: 0 },
  });
}

test('a burst of contacts authenticates in one read, each as the agent its credential names', async () => {
  const [first, second, disabled] = agents as [TestAgent, TestAgent, TestAgent];
  await s.store.agents.update(disabled.id, { enabled: false });
  const reads = countCredentialReads(s.store);
  let replies: Awaited<ReturnType<typeof contact>>[];
  let refused: Awaited<ReturnType<typeof contact>>[];
  try {
    [replies, refused] = await Promise.all([
      Promise.all(agents.slice(3).map((agent, i) => contact(agent.credential, `1.0.${i + 3}`))),
      Promise.all([
        contact(`${first.id}.${second.secret}`, '9.9.9'),
        contact(`${second.id}.${'x'.repeat(43)}`, '9.9.9'),
        contact(disabled.credential, '9.9.9'),
      ]),
    ]);
  } finally {
    reads.restore();
  }
  // 37 good credentials, another agent's secret, an unknown one and the disabled agent's.
  assert.deepEqual(reads.calls, [AGENTS], 'every credential of the burst in one read');
  assert.deepEqual(new Set(replies.map((reply) => reply.statusCode)), new Set([200]));
  assert.deepEqual(
    refused.map((reply) => [reply.statusCode, reply.json().error?.code ?? reply.json().code]),
    [
      [401, 'unauthorized'],
      [401, 'unauthorized'],
      [403, 'agent_disabled'],
    ],
  );
  for (const [i, agent] of agents.entries()) {
    const stored = await s.store.agents.get(agent.id);
    assert.equal(stored?.version, i < 3 ? null : `1.0.${i}`, `agent ${i} recorded its own contact, no one else's`);
  }
});
