// Shared plumbing of the conformance suite: a fresh store per test, page walking, error checks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TaskwardenError } from '../../../src/core/errors.ts';
import type { Jobstate } from '../../../src/core/model.ts';
import type { Page, Paged, Store } from '../../../src/core/ports/store.ts';

export type OpenStore = () => Promise<Store>;

/** Registers a test that gets its own freshly opened and migrated store, closed afterwards. */
export function storeTest(open: OpenStore, name: string, body: (store: Store) => Promise<void>): void {
  test(name, async () => {
    const store = await open();
    try {
      await store.migrate();
      await body(store);
    } finally {
      await store.close();
    }
  });
}

/** Follows `next` cursors to the end; returns every item and how many pages it took. */
export async function walk<T>(
  fetch: (page: Page) => Promise<Paged<T>>,
  limit: number,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let after: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await fetch({ after, limit });
    pages += 1;
    assert.ok(page.items.length <= limit, `page of ${page.items.length} items exceeds limit ${limit}`);
    items.push(...page.items);
    if (page.next === null) return { items, pages };
    assert.ok(pages < 1000, 'pagination does not end');
    after = page.next;
  }
}

export async function rejectsWithCode(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof TaskwardenError, `expected a TaskwardenError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  });
}

export const ids = (items: { id: string }[]): string[] => items.map((item) => item.id);

/** One agent's claim: claimForAgents with a single request. */
export async function claimForAgent(
  store: Store,
  request: { agentId: string; now: number; capacity: number; skip?: string[] },
): Promise<Jobstate[]> {
  const { agentId, now, capacity, skip = [] } = request;
  return (await store.jobstates.claimForAgents([{ agentId, capacity, skip }], now))[0] ?? [];
}
