// Server nodes and their heartbeats.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { NodeRecord } from '../../../src/core/ports/store.ts';
import { type OpenStore, storeTest } from './harness.ts';

const T0 = Date.parse('2026-12-01T00:00:00Z');

function node(id: string, overrides: Partial<NodeRecord> = {}): Omit<NodeRecord, 'stoppedAt'> {
  const defaults = { hostname: `host-${id}`, pid: 100, version: '0.1.0', startedAt: T0, seenAt: T0, clockOffsetMs: 12 };
  return { id, ...defaults, ...overrides };
}

export function nodeCases(open: OpenStore): void {
  describe('nodes', () => {
    storeTest(open, 'a first heartbeat inserts the node, later ones update it', async (store) => {
      await store.nodes.heartbeat(node('a'));
      assert.deepEqual(await store.nodes.list(), [{ ...node('a'), stoppedAt: null }]);
      await store.nodes.heartbeat(node('a', { seenAt: T0 + 5_000, pid: 101, hostname: 'moved', version: '0.2.0' }));
      assert.deepEqual(await store.nodes.list(), [
        {
          id: 'a',
          hostname: 'moved',
          pid: 101,
          version: '0.2.0',
          startedAt: T0,
          seenAt: T0 + 5_000,
          stoppedAt: null,
          clockOffsetMs: 12,
        },
      ]);
    });

    storeTest(open, 'each heartbeat records its clock offset: behind, far ahead, unknown', async (store) => {
      for (const clockOffsetMs of [-90_000, 7 * 86_400_000, null, 0]) {
        await store.nodes.heartbeat(node('a', { clockOffsetMs }));
        assert.equal((await store.nodes.list())[0]?.clockOffsetMs, clockOffsetMs);
      }
    });

    storeTest(open, 'lists every node, oldest start first', async (store) => {
      await store.nodes.heartbeat(node('late', { startedAt: T0 + 2 }));
      await store.nodes.heartbeat(node('early', { startedAt: T0 }));
      await store.nodes.heartbeat(node('middle', { startedAt: T0 + 1 }));
      assert.deepEqual(
        (await store.nodes.list()).map((n) => n.id),
        ['early', 'middle', 'late'],
      );
    });

    storeTest(open, 'markStopped records the stop; a later heartbeat clears it', async (store) => {
      await store.nodes.heartbeat(node('a'));
      await store.nodes.heartbeat(node('b'));
      await store.nodes.markStopped('a', T0 + 9_000);
      await store.nodes.markStopped('unknown', T0);
      const [a, b] = await store.nodes.list();
      assert.deepEqual([a?.stoppedAt, a?.seenAt], [T0 + 9_000, T0 + 9_000]);
      assert.equal(b?.stoppedAt, null);
      await store.nodes.heartbeat(node('a', { seenAt: T0 + 10_000 }));
      assert.equal((await store.nodes.list())[0]?.stoppedAt, null);
    });

    storeTest(open, 'deleteSeenBefore forgets nodes not seen since', async (store) => {
      await store.nodes.heartbeat(node('old', { seenAt: T0 }));
      await store.nodes.heartbeat(node('edge', { seenAt: T0 + 1_000 }));
      await store.nodes.heartbeat(node('new', { seenAt: T0 + 2_000 }));
      assert.equal(await store.nodes.deleteSeenBefore(T0 + 1_000), 1);
      assert.deepEqual(
        (await store.nodes.list()).map((n) => n.id),
        ['edge', 'new'],
      );
    });

    storeTest(open, 'ping answers while the database does', async (store) => {
      await store.ping();
    });
  });
}
