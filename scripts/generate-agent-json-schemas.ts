// `npm run generate:agent-schemas`: writes src/protocol/agent-json-schemas.ts, the schemas of
// src/protocol/agent.ts that the agent checks, as plain JSON Schema. The agent validates with
// those and ajv (which it loads anyway) instead of loading TypeBox: some 680 modules, 10 MB
// of an idle agent. test/protocol/agent-json-schemas.test.ts fails when they drift apart.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentEvent, ContactReply, EnrolReply, EventsReply } from '../src/protocol/agent.ts';

/** The TypeBox schemas as the JSON they are (without TypeBox's own non-JSON markers). */
export function generatedAgentJsonSchemas(): Record<string, unknown> {
  const sources = { enrolReply: EnrolReply, contactReply: ContactReply, eventsReply: EventsReply, event: AgentEvent };
  return JSON.parse(JSON.stringify(sources)) as Record<string, unknown>;
}

function write(): void {
  const root = join(import.meta.dirname, '..');
  const file = join(root, 'src', 'protocol', 'agent-json-schemas.ts');
  const text = [
    '// Generated from agent.ts by `npm run generate:agent-schemas`: do not edit. The schemas the',
    '// agent checks, as plain JSON Schema, so that it does not load TypeBox (see that script).',
    '',
    `export const AGENT_JSON_SCHEMAS = ${JSON.stringify(generatedAgentJsonSchemas())};`,
    '',
  ].join('\n');
  writeFileSync(file, text);
  const biome = join(root, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
  spawnSync(process.execPath, [biome, 'format', '--write', file], { stdio: 'inherit' });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) write();
