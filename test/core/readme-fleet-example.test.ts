// The README's "Fleet rollouts" task file is a valid task: local time, rollout, late join and calendars together.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { builtinModules } from '../../src/modules/builtin.ts';
import { createModuleRegistry } from '../../src/modules/sdk/index.ts';
import { readTaskDef } from '../../src/protocol/task-def-check.ts';

test('the Fleet rollouts example parses as a task using all four', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Fleet rollouts'));
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(yaml, 'the section has a yaml block');
  const def = readTaskDef(parse(yaml), {
    modules: createModuleRegistry(builtinModules({ testModules: true })),
    defaultTz: 'UTC',
  });
  assert.deepEqual(def.calendars, ['holidays']);
  assert.equal((def.schedule as { tz?: string }).tz, 'agent');
  assert.deepEqual(def.rollout?.waves, ['1', '10%', '100%']);
  assert.deepEqual(def.jobs[0]?.targets, { tags: ['office'], lateJoin: '1w' }); // stored canonical
});
