// A node's heartbeat carries its clock offset to the database; the log says when the offset
// goes past 5 s and when it is back within, once per crossing, not at every heartbeat.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { FakeClock } from '../../src/core/clock.ts';
import { Engine } from '../../src/engine/engine.ts';
import { NodeHeartbeat } from '../../src/engine/node-heartbeat.ts';
import { builtinModules } from '../../src/modules/builtin.ts';
import { createModuleRegistry } from '../../src/modules/sdk/index.ts';
import { createModuleServices } from '../../src/server/module-services.ts';
import { openTestStore, type TestStore } from '../support/store.ts';

let opened: TestStore | undefined;
after(() => opened?.cleanup());

test('each heartbeat stores the offset; a warning when it passes 5 s either way, a note when it is back', async () => {
  opened = await openTestStore();
  const { store } = opened;
  const clock = new FakeClock();
  const warnings: string[] = [];
  const notes: string[] = [];
  const engine = new Engine({
    store,
    modules: createModuleRegistry(builtinModules({ testModules: true })),
    services: createModuleServices(store),
    clock,
    options: { defaultTz: 'UTC', nodeId: 'skewed-node' },
    log: { warn: (m) => warnings.push(m), info: (m) => notes.push(m) },
  });
  let offset: number | null = null;
  const heartbeat = new NodeHeartbeat(engine.ctx, {
    hostname: 'h',
    pid: 1,
    version: '0.1.0',
    clockOffsetMs: () => offset,
  });
  await heartbeat.start();

  const seen: { offset: number | null; stored: number | null; warnings: number; notes: number }[] = [];
  for (const next of [120, 5_000, 6_200, 6_300, 90_000, 4_000, -4_999, -7_500, -7_400, 0]) {
    offset = next;
    clock.advance(heartbeat.intervalMs);
    await heartbeat.beat();
    const [node] = await store.nodes.list();
    seen.push({ offset, stored: node?.clockOffsetMs ?? null, warnings: warnings.length, notes: notes.length });
  }
  assert.deepEqual(
    seen.map((s) => s.stored),
    seen.map((s) => s.offset),
    'every heartbeat stores what was measured',
  );
  // Past 5 s at 6200 (ahead) and at -7500 (behind); back within at 4000 and at 0.
  assert.deepEqual(
    seen.map((s) => [s.warnings, s.notes]),
    [
      [0, 0],
      [0, 0],
      [1, 0],
      [1, 0],
      [1, 0],
      [1, 1],
      [1, 1],
      [2, 1],
      [2, 1],
      [2, 2],
    ],
  );
  assert.match(warnings[0] as string, /skewed-node: its clock is 6\.2 s ahead of the database's \(more than 5 s\)/);
  assert.match(warnings[1] as string, /its clock is 7\.5 s behind the database's/);
  assert.match(notes[0] as string, /its clock is within 5 s of the database's again \(4000 ms\)/);
});
