// Orgs, users and API tokens.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { GLOBAL_ORG_ID } from '../../../src/core/global-tasks.ts';
import { makeOrg, makeTask, makeToken, makeUser, T0 } from '../fixtures.ts';
import { ids, type OpenStore, rejectsWithCode, storeTest, walk } from './harness.ts';

export function identityCases(open: OpenStore): void {
  describe('orgs', () => {
    storeTest(open, 'creates, gets by id and by name; unknown ones are null', async (store) => {
      const org = makeOrg({ name: 'acme' });
      assert.deepEqual(await store.orgs.create(org), org);
      assert.deepEqual(await store.orgs.get(org.id), org);
      assert.deepEqual(await store.orgs.getByName('acme'), org);
      assert.equal(await store.orgs.get('missing'), null);
      assert.equal(await store.orgs.getByName('missing'), null);
    });

    storeTest(open, 'settings: defaults for a new org, a patch changes only what it names', async (store) => {
      const org = await store.orgs.create(makeOrg());
      assert.deepEqual(await store.orgs.settings(org.id), {
        extractPrefixes: [],
        packageQuota: null,
        notify: [],
        showGlobalTasks: false,
      });
      await store.orgs.updateSettings(org.id, { extractPrefixes: ['/opt/apps', '/srv'] });
      await store.orgs.updateSettings(org.id, { packageQuota: 5 * 2 ** 40 });
      const notify = [{ on: ['error' as const], channels: ['ops'], when: 'changed' as const }];
      await store.orgs.updateSettings(org.id, { notify });
      await store.orgs.updateSettings(org.id, { showGlobalTasks: true });
      await store.orgs.updateSettings(org.id, {});
      assert.deepEqual(await store.orgs.settings(org.id), {
        extractPrefixes: ['/opt/apps', '/srv'],
        packageQuota: 5 * 2 ** 40,
        notify,
        showGlobalTasks: true,
      });
      await store.orgs.updateSettings(org.id, { packageQuota: null });
      assert.equal((await store.orgs.settings(org.id))?.packageQuota, null);
      assert.deepEqual(await store.orgs.get(org.id), org);
      assert.equal(await store.orgs.settings('missing'), null);
    });

    storeTest(
      open,
      'the global tasks’ reserved org exists and is never listed; its tasks list with an org’s',
      async (store) => {
        assert.equal((await store.orgs.get(GLOBAL_ORG_ID))?.id, GLOBAL_ORG_ID);
        const org = await store.orgs.create(makeOrg());
        assert.deepEqual(ids((await store.orgs.list({ limit: 100 })).items), [org.id]);
        const own = await store.tasks.create(makeTask(org.id));
        const global = await store.tasks.create(makeTask(GLOBAL_ORG_ID));
        await store.tasks.create(makeTask((await store.orgs.create(makeOrg())).id));
        const both = await store.tasks.list({ orgId: [org.id, GLOBAL_ORG_ID] }, { limit: 100 });
        assert.deepEqual(ids(both.items), ids([own, global]));
        assert.deepEqual(ids((await store.tasks.list({ orgId: org.id }, { limit: 100 })).items), [own.id]);
      },
    );

    storeTest(open, 'a default is recorded as seeded once', async (store) => {
      assert.equal(await store.orgs.seeded('housekeeping'), false);
      assert.equal(await store.orgs.markSeeded('housekeeping', T0), true);
      assert.equal(await store.orgs.markSeeded('housekeeping', T0 + 1), false);
      assert.equal(await store.orgs.seeded('housekeeping'), true);
      assert.equal(await store.orgs.seeded('backup'), false);
    });

    storeTest(open, 'a second org of the same name is a conflict', async (store) => {
      await store.orgs.create(makeOrg({ name: 'acme' }));
      await rejectsWithCode(store.orgs.create(makeOrg({ name: 'acme' })), 'org_name_taken', /already exists/);
    });

    storeTest(open, 'pagination walks every org once, oldest first', async (store) => {
      const created = [];
      for (let i = 0; i < 7; i++) created.push(await store.orgs.create(makeOrg()));
      const { items, pages } = await walk((page) => store.orgs.list(page), 3);
      assert.deepEqual(ids(items), ids(created));
      assert.equal(pages, 3);
    });

    storeTest(open, 'limits are clamped to 1..1000', async (store) => {
      for (let i = 0; i < 3; i++) await store.orgs.create(makeOrg());
      const zero = await store.orgs.list({ limit: 0 });
      assert.equal(zero.items.length, 1);
      assert.notEqual(zero.next, null);
      const huge = await store.orgs.list({ limit: 1_000_000 });
      assert.equal(huge.items.length, 3);
      assert.equal(huge.next, null);
    });
  });

  describe('users', () => {
    storeTest(open, 'round-trips every field, global admins included', async (store) => {
      const org = await store.orgs.create(makeOrg());
      const user = makeUser(org.id, { role: 'viewer', passwordHash: null, disabled: true });
      const admin = makeUser(null, { role: 'admin' });
      await store.users.create(user);
      await store.users.create(admin);
      assert.deepEqual(await store.users.get(user.id), user);
      assert.deepEqual(await store.users.getByName(admin.name), admin);
      assert.equal(await store.users.get('missing'), null);
      assert.equal(await store.users.count(), 2);
    });

    storeTest(open, 'user names are unique across orgs', async (store) => {
      const a = await store.orgs.create(makeOrg());
      const b = await store.orgs.create(makeOrg());
      await store.users.create(makeUser(a.id, { name: 'bob' }));
      await rejectsWithCode(
        store.users.create(makeUser(b.id, { name: 'bob' })),
        'user_name_taken',
        /bob.*already exists/,
      );
      assert.equal(await store.users.count(), 1);
    });

    storeTest(open, 'a user of an org that does not exist is refused', async (store) => {
      await rejectsWithCode(store.users.create(makeUser('no-such-org')), 'not_found');
    });

    storeTest(open, 'lists an org’s users, or the global ones for null', async (store) => {
      const org = await store.orgs.create(makeOrg());
      const other = await store.orgs.create(makeOrg());
      const mine = [await store.users.create(makeUser(org.id)), await store.users.create(makeUser(org.id))];
      await store.users.create(makeUser(other.id));
      const admin = await store.users.create(makeUser(null, { role: 'admin' }));
      assert.deepEqual(ids((await walk((p) => store.users.list(org.id, p), 1)).items), ids(mine));
      assert.deepEqual(ids((await store.users.list(null, { limit: 10 })).items), [admin.id]);
    });

    storeTest(open, 'updates role, password hash and disabled; an empty patch changes nothing', async (store) => {
      const user = await store.users.create(makeUser(null));
      await store.users.update(user.id, { role: 'admin', passwordHash: null, disabled: true });
      assert.deepEqual(await store.users.get(user.id), { ...user, role: 'admin', passwordHash: null, disabled: true });
      await store.users.update(user.id, {});
      await store.users.update(user.id, { disabled: false });
      assert.equal((await store.users.get(user.id))?.disabled, false);
      assert.equal((await store.users.get(user.id))?.role, 'admin');
    });
  });

  describe('tokens', () => {
    storeTest(open, 'creates, finds by hash and id; a reused hash is a conflict', async (store) => {
      const user = await store.users.create(makeUser(null));
      const token = makeToken(user.id, { expiresAt: T0 + 1000 });
      await store.tokens.create(token);
      assert.deepEqual(await store.tokens.findByHash(token.hash), token);
      assert.deepEqual(await store.tokens.get(token.id), token);
      assert.equal(await store.tokens.findByHash('nope'), null);
      await rejectsWithCode(store.tokens.create(makeToken(user.id, { hash: token.hash })), 'record_exists');
    });

    storeTest(open, 'revoke keeps the first revocation time; touch records the last use', async (store) => {
      const user = await store.users.create(makeUser(null));
      const token = await store.tokens.create(makeToken(user.id));
      await store.tokens.touch(token.id, T0 + 5);
      await store.tokens.revoke(token.id, T0 + 10);
      await store.tokens.revoke(token.id, T0 + 20);
      const stored = await store.tokens.get(token.id);
      assert.equal(stored?.revokedAt, T0 + 10);
      assert.equal(stored?.lastUsedAt, T0 + 5);
    });

    storeTest(open, 'lists a user’s tokens only, oldest first, page by page', async (store) => {
      const user = await store.users.create(makeUser(null));
      const other = await store.users.create(makeUser(null));
      const mine = [];
      for (let i = 0; i < 5; i++) mine.push(await store.tokens.create(makeToken(user.id)));
      await store.tokens.create(makeToken(other.id));
      const { items, pages } = await walk((p) => store.tokens.listForUser(user.id, p), 2);
      assert.deepEqual(ids(items), ids(mine));
      assert.equal(pages, 3);
    });
  });
}
