// The session a batch writes through (firing-batch.ts): a method writes what the batch holds
// before it runs, but for the reads that touch nothing held; a repo is wrapped only when the
// batch uses it (a batch uses a few of the session's two dozen: wrapping them all cost more
// than its BEGIN and COMMIT).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoreSession } from '../../src/core/ports/store.ts';
import { flushingFirst, withRepos } from '../../src/engine/firing-batch.ts';

/** What the recording repos have: a read and a write. */
interface Recording {
  get(id: string): Promise<unknown>;
  update(id: string): Promise<unknown>;
}
const repos = (session: StoreSession) => session as unknown as Record<'tasks' | 'runs' | 'jobstates', Recording>;

/** A session of three repos that records calls, flushes and which repos were looked into. */
function recordingSession() {
  const calls: string[] = [];
  const enumerated = new Set<string>();
  const repo = (name: string) =>
    new Proxy(
      {
        get: async (id: string) => calls.push(`${name}.get(${id})`),
        update: async (id: string) => calls.push(`${name}.update(${id})`),
      },
      {
        ownKeys(target) {
          enumerated.add(name);
          return Reflect.ownKeys(target);
        },
      },
    );
  const tx = { tasks: repo('tasks'), runs: repo('runs'), jobstates: repo('jobstates') } as unknown as StoreSession;
  const flush = async () => {
    calls.push('flush');
  };
  return { tx, calls, enumerated, flush };
}

test('a method writes what the batch holds first, an untouched read does not', async () => {
  const { tx, calls, flush } = recordingSession();
  const session = repos(flushingFirst(tx, flush, { tasks: ['get'] }));
  await session.tasks.get('t1');
  await session.runs.update('r1');
  assert.deepEqual(calls, ['tasks.get(t1)', 'flush', 'runs.update(r1)']);
});

test('a repo is wrapped at its first use only, once', async () => {
  const { tx, enumerated, flush } = recordingSession();
  const session = repos(flushingFirst(tx, flush, {}));
  assert.deepEqual([...enumerated], [], 'nothing wrapped before use');
  await session.runs.get('r1');
  assert.equal(session.runs, session.runs, 'the same wrapper at every use');
  assert.deepEqual([...enumerated], ['runs']);
});

test('withRepos puts repos in place of the base ones without wrapping the others', async () => {
  const { tx, calls, enumerated, flush } = recordingSession();
  const base = flushingFirst(tx, flush, {});
  const jobstates = { ...repos(base).jobstates, get: async () => calls.push('held get') };
  const session = withRepos(base, { jobstates } as unknown as Partial<StoreSession>);
  assert.deepEqual([...enumerated], ['jobstates'], 'only the repo spread into the replacement');
  await repos(session).jobstates.get('j1');
  await repos(session).tasks.update('t1');
  assert.deepEqual(calls, ['held get', 'flush', 'tasks.update(t1)']);
  assert.deepEqual(Object.keys(session), ['jobstates'], 'the others through the prototype');
});

test('a session made by withRepos, wrapped again, flushes before its inherited repos too', async () => {
  const { tx, calls, flush } = recordingSession();
  const derived = withRepos(tx, {});
  const session = repos(flushingFirst(derived, flush, {}));
  await session.runs.update('r1');
  assert.deepEqual(calls, ['flush', 'runs.update(r1)']);
});
