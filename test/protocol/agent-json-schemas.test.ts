// The agent checks the server's replies (and its spooled events) against plain JSON Schema
// copies of the TypeBox schemas, with ajv, so that it does not load TypeBox. The copies must
// stay the schemas of agent.ts, and ajv must judge a value as TypeBox does.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Compile } from 'typebox/compile';
import { generatedAgentJsonSchemas } from '../../scripts/generate-agent-json-schemas.ts';
import { compileSchema } from '../../src/core/json-schema.ts';
import { AgentEvent, ContactReply } from '../../src/protocol/agent.ts';
import { AGENT_JSON_SCHEMAS } from '../../src/protocol/agent-json-schemas.ts';

const job = { jobstate: 'js-1', attempt: 1, module: 'command', params: {}, payload: null, timeoutSeconds: 60 };
const reply = { jobs: [job], stop: [], contactSeconds: 60, serverTime: '2026-12-05T13:00:00.000Z' };
const CONTACT_REPLIES: unknown[] = [
  reply,
  { ...reply, jobs: [] },
  { ...reply, serverTime: '2026-12-05T14:00:00+01:00' },
  { ...reply, serverTime: 'yesterday' },
  { ...reply, serverTime: '2026-13-45T99:00:00Z' },
  { ...reply, contactSeconds: 1.5 },
  { ...reply, stop: [''] },
  { ...reply, jobs: [{ ...job, attempt: 0 }] },
  { ...reply, jobs: [{ ...job, jobstate: 'x'.repeat(101) }] },
  { ...reply, jobs: [{ ...job, params: [] }] },
  { jobs: [], stop: [], contactSeconds: 60 },
  null,
  [],
];
const EVENTS: unknown[] = [
  { seq: 1, ts: 1, type: 'started' },
  { seq: 2, ts: 1, type: 'log', stream: 'stdout', line: 'hello' },
  { seq: 3, ts: 1, type: 'progress', percent: 50, message: 'half' },
  { seq: 4, ts: 1, type: 'finished', result: { ok: true } },
  { seq: 5, ts: 1, type: 'error', reason: 'module_failed' },
  { seq: 0, ts: 1, type: 'started' },
  { seq: 1, ts: 1, type: 'log', stream: 'stdin', line: 'x' },
  { seq: 1, ts: 1, type: 'log', stream: 'stdout', line: 'x'.repeat(8193) },
  { seq: 1, ts: 1, type: 'progress', percent: 101 },
  { seq: 1, ts: 1, type: 'started', extra: true },
  { seq: 1, ts: 1, type: 'paused' },
];

function ajvAccepts(schema: Record<string, unknown>, value: unknown): boolean {
  try {
    compileSchema(schema, { useDefaults: false })(value, 'value');
    return true;
  } catch {
    return false;
  }
}

describe("the agent's JSON schemas", () => {
  test('are the schemas of agent.ts (after changing those, run npm run generate:agent-schemas)', () => {
    assert.deepEqual(AGENT_JSON_SCHEMAS, generatedAgentJsonSchemas());
  });

  test('judge contact replies and events as TypeBox does', () => {
    const contact = Compile(ContactReply);
    const event = Compile(AgentEvent);
    const verdicts = (values: unknown[], typebox: (v: unknown) => boolean, schema: Record<string, unknown>) =>
      values.map((v) => ({ value: v, typebox: typebox(v), ajv: ajvAccepts(schema, v) }));
    const differ = [
      ...verdicts(CONTACT_REPLIES, (v) => contact.Check(v), AGENT_JSON_SCHEMAS.contactReply),
      ...verdicts(EVENTS, (v) => event.Check(v), AGENT_JSON_SCHEMAS.event),
    ].filter((v) => v.typebox !== v.ajv);
    assert.deepEqual(differ, []);
    // Both kinds of verdict occur: a check that accepted or refused everything proves nothing.
    assert.ok(ajvAccepts(AGENT_JSON_SCHEMAS.contactReply, reply));
    assert.ok(!ajvAccepts(AGENT_JSON_SCHEMAS.contactReply, { ...reply, serverTime: 'yesterday' }));
  });
});
