// The session a batch of firings writes through (scheduler.ts): a thousand tasks due at one
// instant cost a handful of multi-row statements, not five statements each.
import { byId } from '../core/ids.ts';
import type { Jobstate, Run, Task } from '../core/model.ts';
import type { NewRun, StoreSession, Trigger } from '../core/ports/store.ts';

/**
 * A run of the batch met one of the same firing at its write (the firing was made
 * meanwhile: another node, a clock set back): the batch is rolled back and fired again
 * without the write-behind, where each run's insert answers for itself.
 */
export class FiringClash extends Error {
  constructor() {
    super('a firing of the batch has a run already');
  }
}

/** What the batch read at once before firing: its tasks, and the active runs of those tasks. */
export interface FiringReads {
  tasks: ReadonlyMap<string, Task>;
  active: ReadonlyMap<string, readonly Run[]>;
}

/** Per repo, the methods that touch no row a batch holds back: they run without writing what it holds. */
export type Untouched = Partial<Record<keyof StoreSession, readonly string[]>>;

/** Reads that touch no row the batch holds back: answered without writing what it holds. */
const UNTOUCHED: Untouched = {
  tasks: ['get', 'getMany', 'getByName'],
  calendars: ['resolve'],
  agents: ['resolveTargets', 'timezones'],
  orgs: ['get', 'settings'],
};

const ACTIVE: readonly Run['status'][] = ['pending', 'running'];

/**
 * `tx` holding back the inserts of runs and jobstates and the trigger writes, to write
 * them at `flush` in one statement each (per INSERT_CHUNK rows). Any other use of the
 * session (an update, a read of runs or jobstates) writes what it holds first, so every
 * step reads what the steps before it wrote: the batching changes the statements, not what
 * they do. A run's insert answers "new" at once; if one is not new at the flush, the flush
 * throws FiringClash (the caller rolls back and fires the batch the plain way). Tasks come
 * from `reads` (read for the whole batch at once), their active runs too until the first
 * flush (after it, an update may have changed them). Rows are copied when held: the engine goes on changing its objects in memory.
 */
export function firingSession(tx: StoreSession, reads: FiringReads): { session: StoreSession; flush(): Promise<void> } {
  const runs: NewRun[] = [];
  const jobstates: Jobstate[] = [];
  const triggers = new Map<string, Trigger | null>();
  /** Until the first flush, nothing but this batch changed runs since `reads.active` was read. */
  let activeKnown = true;

  async function flush(): Promise<void> {
    activeKnown = false;
    if (runs.length > 0) {
      const held = runs.splice(0);
      if ((await tx.runs.insertMany(held)) !== held.length) throw new FiringClash();
    }
    if (jobstates.length > 0) await tx.jobstates.insertMany(jobstates.splice(0));
    if (triggers.size > 0) {
      const held = [...triggers];
      triggers.clear();
      const set = held.flatMap(([, t]) => (t ? [t] : []));
      const cleared = held.flatMap(([id, t]) => (t ? [] : [id]));
      if (set.length > 0) await tx.triggers.setMany(set);
      if (cleared.length > 0) await tx.triggers.clearMany(cleared);
    }
  }

  const session = flushingFirst(tx, flush, UNTOUCHED);
  const held: Pick<StoreSession, 'tasks' | 'runs' | 'jobstates' | 'triggers'> = {
    tasks: {
      ...session.tasks,
      get: async (id) => reads.tasks.get(id) ?? tx.tasks.get(id),
    },
    runs: {
      ...session.runs,
      insert: async (run) => {
        runs.push({ ...run });
        return true;
      },
      listActive: async (taskId) => {
        const before = activeKnown ? reads.active.get(taskId) : undefined;
        if (!before) return session.runs.listActive(taskId);
        const mine = runs.filter((r) => r.taskId === taskId && ACTIVE.includes(r.status)).map(asRun);
        return [...before, ...mine].sort((a, b) => a.fireAt - b.fireAt || byId(a, b));
      },
    },
    jobstates: {
      ...session.jobstates,
      insertMany: async (rows) => {
        jobstates.push(...rows.map((js) => ({ ...js })));
      },
    },
    triggers: {
      ...session.triggers,
      set: async (trigger) => {
        triggers.set(trigger.taskId, { ...trigger });
      },
      clear: async (taskId) => {
        triggers.set(taskId, null);
      },
    },
  };
  return { session: withRepos(session, held), flush };
}

/** A held run as the store would read it back. */
function asRun(run: NewRun): Run {
  const { fireKey: _fireKey, ...rest } = run;
  return { ...rest, startedAt: run.startedAt ?? null, finishedAt: null, missed: null };
}

/** `tx` whose methods write what a batch holds (`flush`) before they run, but for the `untouched` ones. */
export function flushingFirst(tx: StoreSession, flush: () => Promise<void>, untouched: Untouched): StoreSession {
  // Each repo is wrapped at its first use: a batch uses a few of the session's two dozen,
  // and wrapping every method of every repo cost more than the batch's BEGIN and COMMIT.
  const wrapped = new Map<string, unknown>();
  return new Proxy(tx, {
    get(target, name, receiver) {
      const repo: unknown = Reflect.get(target, name, receiver);
      // A repo is an object of methods (its own or, for a session made by withRepos, its prototype's).
      if (typeof name !== 'string' || typeof repo !== 'object' || repo === null) return repo;
      let flushing = wrapped.get(name);
      if (flushing === undefined) {
        flushing = flushingRepo(repo, flush, untouched[name as keyof StoreSession] ?? []);
        wrapped.set(name, flushing);
      }
      return flushing;
    },
  });
}

function flushingRepo(repo: object, flush: () => Promise<void>, untouched: readonly string[]): unknown {
  const wrapped: Record<string, unknown> = {};
  for (const [method, fn] of Object.entries(repo)) {
    wrapped[method] =
      typeof fn !== 'function' || untouched.includes(method)
        ? fn
        : async (...args: unknown[]) => {
            await flush();
            return fn(...args);
          };
  }
  return wrapped;
}

/**
 * `base` with some repos in place of its own, without reading the others (flushingFirst
 * wraps a repo when it is read): they are found through the prototype.
 */
export function withRepos(base: StoreSession, own: Partial<StoreSession>): StoreSession {
  const descriptors: PropertyDescriptorMap = {};
  for (const [name, repo] of Object.entries(own))
    descriptors[name] = { value: repo, enumerable: true, writable: true, configurable: true };
  return Object.create(base, descriptors) as StoreSession;
}
