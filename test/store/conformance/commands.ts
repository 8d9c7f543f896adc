// The command catalog: org commands shadow global ones of the same name.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { makeCommand, makeOrg, T0 } from '../fixtures.ts';
import { ids, type OpenStore, storeTest, walk } from './harness.ts';

export function commandCases(open: OpenStore): void {
  describe('commands', () => {
    storeTest(open, 'upsert inserts, then replaces by (org, name) keeping id and createdAt', async (store) => {
      const org = await store.orgs.create(makeOrg());
      const first = makeCommand(org.id);
      assert.deepEqual(await store.commands.upsert(first), first);
      const replacement = makeCommand(org.id, {
        description: 'v2',
        argv: ['true'],
        params: {},
        runsOn: 'both',
        timeoutSeconds: 5,
        createdAt: T0 + 100,
        updatedAt: T0 + 100,
      });
      const stored = await store.commands.upsert(replacement);
      assert.deepEqual(stored, { ...replacement, id: first.id, createdAt: first.createdAt });
      assert.deepEqual(await store.commands.get(first.id), stored);
      assert.equal(await store.commands.get(replacement.id), null);
    });

    storeTest(open, 'a global command of a name exists once, however often it is upserted', async (store) => {
      const first = await store.commands.upsert(makeCommand(null));
      await store.commands.upsert(makeCommand(null, { description: 'again' }));
      const { items } = await store.commands.list(null, { limit: 10 });
      assert.deepEqual(ids(items), [first.id]);
      assert.equal(items[0]?.description, 'again');
    });

    storeTest(open, 'resolve prefers the org’s command, falls back to the global one', async (store) => {
      const org = await store.orgs.create(makeOrg());
      const other = await store.orgs.create(makeOrg());
      const global = await store.commands.upsert(makeCommand(null));
      const own = await store.commands.upsert(makeCommand(org.id));
      assert.deepEqual(await store.commands.resolve(org.id, 'restart-spooler'), own);
      assert.deepEqual(await store.commands.resolve(other.id, 'restart-spooler'), global);
      assert.equal(await store.commands.resolve(org.id, 'unknown'), null);
    });

    storeTest(open, 'resolveForServer: only the global admin’s server entries, the org’s first', async (store) => {
      const org = await store.orgs.create(makeOrg());
      const other = await store.orgs.create(makeOrg());
      const server = { runsOn: 'server' as const };
      const global = await store.commands.upsert(makeCommand(null, { ...server, name: 'sync' }));
      // An org-admin's entry of the same name (a row from before the rule) shadows nothing on the server.
      const orgAdmins = await store.commands.upsert(makeCommand(org.id, { ...server, name: 'sync' }));
      assert.deepEqual(await store.commands.resolve(org.id, 'sync'), orgAdmins);
      assert.deepEqual(await store.commands.resolveForServer(org.id, 'sync'), global);
      // The admin's entry for the org comes before his global one; another org still gets the global one.
      const forOrg = await store.commands.upsert(
        makeCommand(org.id, { ...server, name: 'sync', definedByAdmin: true }),
      );
      assert.deepEqual(await store.commands.resolveForServer(org.id, 'sync'), { ...forOrg, id: orgAdmins.id });
      assert.deepEqual(await store.commands.resolveForServer(other.id, 'sync'), global);
      // runsOn both counts, agent does not; an admin's agent entry for the org leaves the global one in force.
      await store.commands.upsert(makeCommand(null, { name: 'both', runsOn: 'both' }));
      assert.equal((await store.commands.resolveForServer(org.id, 'both'))?.runsOn, 'both');
      await store.commands.upsert(makeCommand(null, { name: 'agent-only' }));
      assert.equal(await store.commands.resolveForServer(org.id, 'agent-only'), null);
      await store.commands.upsert(
        makeCommand(org.id, { ...server, name: 'two', definedByAdmin: true, runsOn: 'agent' }),
      );
      const two = await store.commands.upsert(makeCommand(null, { ...server, name: 'two' }));
      assert.deepEqual(await store.commands.resolveForServer(org.id, 'two'), two);
      assert.equal(await store.commands.resolveForServer(org.id, 'unknown'), null);
    });

    storeTest(open, 'upsert replaces who defined the entry with the rest of it', async (store) => {
      const org = await store.orgs.create(makeOrg());
      const admins = await store.commands.upsert(makeCommand(org.id, { runsOn: 'server', definedByAdmin: true }));
      const replaced = await store.commands.upsert(makeCommand(org.id, { runsOn: 'agent', definedByAdmin: false }));
      assert.equal(replaced.id, admins.id);
      assert.deepEqual(
        [replaced.definedByAdmin, (await store.commands.get(admins.id))?.definedByAdmin],
        [false, false],
      );
    });

    storeTest(open, 'lists the org’s and the global commands, never another org’s', async (store) => {
      const org = await store.orgs.create(makeOrg());
      const other = await store.orgs.create(makeOrg());
      const expected = [
        await store.commands.upsert(makeCommand(null, { name: 'a' })),
        await store.commands.upsert(makeCommand(org.id, { name: 'b' })),
        await store.commands.upsert(makeCommand(null, { name: 'c' })),
        await store.commands.upsert(makeCommand(org.id, { name: 'a' })),
      ];
      await store.commands.upsert(makeCommand(other.id, { name: 'z' }));
      assert.deepEqual(ids((await walk((p) => store.commands.list(org.id, p), 3)).items), ids(expected));
      const globals = (await store.commands.list(null, { limit: 10 })).items;
      assert.deepEqual(ids(globals), [expected[0]?.id, expected[2]?.id]);
    });

    storeTest(open, 'delete removes the command', async (store) => {
      const command = await store.commands.upsert(makeCommand(null));
      await store.commands.delete(command.id);
      assert.equal(await store.commands.get(command.id), null);
      assert.equal(await store.commands.resolve('any-org', command.name), null);
    });
  });
}
