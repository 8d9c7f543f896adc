// The catalog lookups of agent job preparation (catalog-check.ts concurrentCommands): the
// contacts of one claim batch prepare their jobs at once and share one read of a command,
// and nothing is kept once read, so a catalog change applies to the next lookup.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CommandLookups, concurrentCommands } from '../../src/server/catalog-check.ts';
import { makeCommand, makeOrg } from '../store/fixtures.ts';
import { openTestStore } from '../support/store.ts';

test('concurrent lookups of one command share one read; a lookup after it reads again and sees a change', async () => {
  const { store, cleanup } = await openTestStore();
  try {
    const org = makeOrg();
    await store.orgs.create(org);
    const echo = makeCommand(null, { name: 'echo', argv: ['echo', 'one'] });
    await store.commands.upsert(echo);
    const reads: string[] = [];
    const counted: CommandLookups = {
      resolve: (orgId, name) => {
        reads.push(`resolve ${name}`);
        return store.commands.resolve(orgId, name);
      },
      resolveForServer: (orgId, name) => {
        reads.push(`server ${name}`);
        return store.commands.resolveForServer(orgId, name);
      },
    };
    const lookups = concurrentCommands(counted);
    const together = await Promise.all(Array.from({ length: 5 }, () => lookups.resolve(org.id, 'echo')));
    assert.deepEqual(reads, ['resolve echo']);
    assert.deepEqual(new Set(together.map((command) => command?.argv.join(' '))), new Set(['echo one']));
    // Another entry, or the server's lookup of the same name, is a read of its own.
    await Promise.all([lookups.resolve(org.id, 'missing'), lookups.resolveForServer(org.id, 'echo')]);
    assert.deepEqual(reads, ['resolve echo', 'resolve missing', 'server echo']);
    await store.commands.upsert({ ...echo, argv: ['echo', 'two'] });
    assert.deepEqual((await lookups.resolve(org.id, 'echo'))?.argv, ['echo', 'two']);
    assert.equal(reads.length, 4, 'a lookup after the shared read settled reads again');
  } finally {
    await cleanup();
  }
});
