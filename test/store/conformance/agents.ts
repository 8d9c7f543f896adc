// Agents, enrolment tokens and the agent side of jobstates: claims, event seqs, lookups.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { newId } from '../../../src/core/ids.ts';
import type { Jobstate } from '../../../src/core/model.ts';
import type { Store } from '../../../src/core/ports/store.ts';
import { makeAgent, makeEnrolmentToken, makeJobstate, makeOrg, seedRun, T0 } from '../fixtures.ts';
import { claimForAgent, ids, type OpenStore, rejectsWithCode, storeTest, walk } from './harness.ts';

async function seedOrg(store: Store): Promise<string> {
  return (await store.orgs.create(makeOrg())).id;
}

export function agentCases(open: OpenStore): void {
  describe('agents', () => {
    storeTest(open, 'an agent is found by id, secret hash and (org, device); both are unique', async (store) => {
      const org = await seedOrg(store);
      const other = await seedOrg(store);
      const agent = makeAgent(org, { tags: ['accounting', 'paris'], wakeUrl: 'http://10.0.0.5:62354' });
      assert.deepEqual(await store.agents.create(agent), agent);
      assert.deepEqual(await store.agents.get(agent.id), agent);
      assert.deepEqual(await store.agents.getManyBySecretHash([agent.secretHash, 'nope']), [agent]);
      assert.deepEqual(await store.agents.getByDevice(org, agent.deviceId), agent);
      assert.equal(await store.agents.getByDevice(other, agent.deviceId), null);
      assert.equal(await store.agents.get(newId()), null);
      assert.deepEqual(await store.agents.getManyBySecretHash(['nope']), []);
      assert.deepEqual(await store.agents.getManyBySecretHash([]), []);
      await rejectsWithCode(
        store.agents.create(makeAgent(org, { deviceId: agent.deviceId })),
        'agent_already_enrolled',
      );
      await rejectsWithCode(
        store.agents.create(makeAgent(org, { secretHash: agent.secretHash })),
        'agent_already_enrolled',
      );
      const sameDeviceElsewhere = makeAgent(other, { deviceId: agent.deviceId });
      await store.agents.create(sameDeviceElsewhere);
      assert.deepEqual(await store.agents.getByDevice(other, agent.deviceId), sameDeviceElsewhere);
    });

    storeTest(
      open,
      "touchContacts sets the listed agents' lastContactAt, past one statement's list too",
      async (store) => {
        const org = await seedOrg(store);
        const listed: string[] = [];
        for (let i = 0; i < 501; i++) listed.push((await store.agents.create(makeAgent(org))).id);
        const other = await store.agents.create(makeAgent(org, { lastContactAt: T0 }));
        await store.agents.touchContacts([...listed, newId()], T0 + 5_000);
        for (const id of [listed[0], listed[499], listed[500]])
          assert.equal((await store.agents.get(id as string))?.lastContactAt, T0 + 5_000);
        assert.equal((await store.agents.get(other.id))?.lastContactAt, T0, 'an agent not listed is left as it was');
        await store.agents.touchContacts([], T0 + 9_000);
      },
    );

    storeTest(open, 'list filters by org, enabled and ANY of the tags, and pages', async (store) => {
      const org = await seedOrg(store);
      const other = await seedOrg(store);
      const a = await store.agents.create(makeAgent(org, { tags: ['accounting'] }));
      const b = await store.agents.create(makeAgent(org, { tags: ['sales', 'paris'], enabled: false }));
      const c = await store.agents.create(makeAgent(org, { tags: ['paris'] }));
      const d = await store.agents.create(makeAgent(other, { tags: ['accounting'] }));
      const list = async (filter: Parameters<Store['agents']['list']>[0]) =>
        ids((await walk((p) => store.agents.list(filter, p), 2)).items);
      assert.deepEqual(await list({ orgId: org }), [a.id, b.id, c.id]);
      assert.deepEqual(await list({}), [a.id, b.id, c.id, d.id]);
      assert.deepEqual(await list({ orgId: org, enabled: true }), [a.id, c.id]);
      assert.deepEqual(await list({ orgId: org, tags: ['paris', 'accounting'] }), [a.id, b.id, c.id]);
      assert.deepEqual(await list({ orgId: org, tags: ['paris'], enabled: false }), [b.id]);
      assert.deepEqual(await list({ tags: ['accounting'] }), [a.id, d.id]);
      assert.deepEqual(await list({ orgId: org, tags: [] }), []);
      const { pages } = await walk((p) => store.agents.list({ orgId: org }, p), 1);
      assert.equal(pages, 3);
    });

    storeTest(open, 'update patches fields and replaces the tags the queries see', async (store) => {
      const org = await seedOrg(store);
      const agent = await store.agents.create(makeAgent(org, { tags: ['old'] }));
      assert.equal(
        await store.agents.update(agent.id, {
          kind: 'fusioninventory',
          name: 'renamed',
          tags: ['new', 'other'],
          requestedTags: ['asked'],
          reenrolUntil: T0 + 7,
          enrolmentTokenId: 'token-1',
          enabled: false,
          secretHash: 'rotated',
          modules: ['command', 'inventory'],
          version: '2.0.0',
          wakeUrl: null,
          lastContactAt: T0 + 5,
          lastWakeError: 'connection refused',
          lastWakeErrorAt: T0 + 6,
          contactSeconds: 120,
        }),
        true,
      );
      const updated = await store.agents.get(agent.id);
      assert.deepEqual(updated, {
        ...agent,
        kind: 'fusioninventory',
        name: 'renamed',
        tags: ['new', 'other'],
        requestedTags: ['asked'],
        reenrolUntil: T0 + 7,
        enrolmentTokenId: 'token-1',
        enabled: false,
        secretHash: 'rotated',
        modules: ['command', 'inventory'],
        version: '2.0.0',
        wakeUrl: null,
        lastContactAt: T0 + 5,
        lastWakeError: 'connection refused',
        lastWakeErrorAt: T0 + 6,
        contactSeconds: 120,
      });
      assert.deepEqual(
        await store.agents.getManyBySecretHash([agent.secretHash]),
        [],
        'the old secret no longer matches',
      );
      assert.deepEqual(ids((await store.agents.list({ tags: ['old'] }, { limit: 10 })).items), []);
      assert.deepEqual(ids((await store.agents.list({ tags: ['new'] }, { limit: 10 })).items), [agent.id]);
      assert.equal(await store.agents.update(agent.id, {}), true);
      assert.equal(await store.agents.update(newId(), { name: 'ghost' }), false);
      await store.agents.create(makeAgent(org, { secretHash: 'taken' }));
      await rejectsWithCode(store.agents.update(agent.id, { secretHash: 'taken' }), 'record_exists');
    });

    storeTest(
      open,
      "an agent's reported zone and an admin's override are kept apart; timezones() gives the one in force",
      async (store) => {
        const org = await seedOrg(store);
        const reported = await store.agents.create(makeAgent(org, { timezone: 'Europe/Paris' }));
        const overridden = await store.agents.create(makeAgent(org, { timezone: 'America/New_York' }));
        const none = await store.agents.create(makeAgent(org));
        assert.equal(await store.agents.update(overridden.id, { timezoneOverride: 'Asia/Tokyo' }), true);
        assert.equal(await store.agents.update(overridden.id, { timezone: 'Europe/London' }), true, 'a later report');
        const got = await store.agents.get(overridden.id);
        assert.deepEqual([got?.timezone, got?.timezoneOverride], ['Europe/London', 'Asia/Tokyo']);
        const zones = await store.agents.timezones([reported.id, overridden.id, none.id, newId()]);
        assert.deepEqual(
          new Map([...zones].sort()),
          new Map(
            [
              [reported.id, 'Europe/Paris'],
              [overridden.id, 'Asia/Tokyo'],
            ].sort() as [string, string][],
          ),
        );
        assert.equal(await store.agents.update(overridden.id, { timezoneOverride: null }), true);
        assert.equal((await store.agents.timezones([overridden.id])).get(overridden.id), 'Europe/London');
      },
    );

    storeTest(open, 'a re-enrolment leave is taken once, and only before it ends', async (store) => {
      const org = await seedOrg(store);
      const agent = await store.agents.create(makeAgent(org, { reenrolUntil: T0 + 100 }));
      assert.deepEqual((await store.agents.get(agent.id))?.reenrolUntil, T0 + 100);
      assert.equal(await store.agents.takeReenrolment(agent.id, T0 + 100), false, 'ended');
      const racing = await Promise.all([
        store.agents.takeReenrolment(agent.id, T0 + 99),
        store.agents.takeReenrolment(agent.id, T0 + 99),
      ]);
      assert.deepEqual(racing.sort(), [false, true]);
      assert.equal((await store.agents.get(agent.id))?.reenrolUntil, null);
      const never = await store.agents.create(makeAgent(org));
      assert.equal(await store.agents.takeReenrolment(never.id, T0), false);
      assert.equal(await store.agents.takeReenrolment(newId(), T0), false);
    });

    storeTest(open, 'delete removes the agent and its tags', async (store) => {
      const org = await seedOrg(store);
      const agent = await store.agents.create(makeAgent(org, { tags: ['x'] }));
      await store.agents.delete(agent.id);
      assert.equal(await store.agents.get(agent.id), null);
      assert.deepEqual(await store.agents.resolveTargets(org, { tags: ['x'] }), []);
      await store.agents.create(makeAgent(org, { deviceId: agent.deviceId, tags: ['x'] }));
    });

    storeTest(open, "resolveTargets names only the org's enabled agents, sorted", async (store) => {
      const org = await seedOrg(store);
      const other = await seedOrg(store);
      const a = await store.agents.create(makeAgent(org, { tags: ['accounting', 'paris'] }));
      const b = await store.agents.create(makeAgent(org, { tags: ['paris'] }));
      const off = await store.agents.create(makeAgent(org, { tags: ['paris'], enabled: false }));
      const foreign = await store.agents.create(makeAgent(other, { tags: ['paris'] }));
      assert.deepEqual(await store.agents.resolveTargets(org, { all: true }), [a.id, b.id]);
      assert.deepEqual(await store.agents.resolveTargets(org, { tags: ['paris', 'accounting'] }), [a.id, b.id]);
      assert.deepEqual(await store.agents.resolveTargets(org, { tags: ['accounting'] }), [a.id]);
      assert.deepEqual(await store.agents.resolveTargets(org, { tags: ['nobody'] }), []);
      assert.deepEqual(await store.agents.resolveTargets(org, { tags: [] }), []);
      assert.deepEqual(
        await store.agents.resolveTargets(org, { agents: [b.id, off.id, foreign.id, newId(), a.id, b.id] }),
        [a.id, b.id],
      );
      assert.deepEqual(await store.agents.resolveTargets(other, { all: true }), [foreign.id]);
    });

    storeTest(open, 'resolveTargets takes long id lists', async (store) => {
      const org = await seedOrg(store);
      const made = [];
      for (let i = 0; i < 30; i++) made.push((await store.agents.create(makeAgent(org))).id);
      const asked = [...Array.from({ length: 1200 }, () => newId()), ...made];
      assert.deepEqual(await store.agents.resolveTargets(org, { agents: asked }), [...made].sort());
    });
  });

  describe('enrolment tokens', () => {
    storeTest(open, 'tokens are found by id and hash, listed per org, revoked once', async (store) => {
      const org = await seedOrg(store);
      const other = await seedOrg(store);
      const token = await store.enrolmentTokens.create(makeEnrolmentToken(org));
      const second = await store.enrolmentTokens.create(makeEnrolmentToken(org, { tags: [] }));
      const foreign = await store.enrolmentTokens.create(makeEnrolmentToken(other));
      assert.deepEqual(await store.enrolmentTokens.get(token.id), token);
      assert.deepEqual(await store.enrolmentTokens.findByHash(token.hash), token);
      assert.equal(await store.enrolmentTokens.findByHash('nope'), null);
      await rejectsWithCode(
        store.enrolmentTokens.create(makeEnrolmentToken(org, { hash: token.hash })),
        'record_exists',
      );
      assert.deepEqual(ids((await walk((p) => store.enrolmentTokens.list(org, p), 1)).items), [token.id, second.id]);
      assert.deepEqual(ids((await store.enrolmentTokens.list(undefined, { limit: 10 })).items), [
        token.id,
        second.id,
        foreign.id,
      ]);
      await store.enrolmentTokens.revoke(token.id, T0 + 1);
      await store.enrolmentTokens.revoke(token.id, T0 + 2);
      assert.equal((await store.enrolmentTokens.get(token.id))?.revokedAt, T0 + 1);
    });

    storeTest(open, 'consume uses a token only while it has uses, is unexpired and unrevoked', async (store) => {
      const org = await seedOrg(store);
      const token = await store.enrolmentTokens.create(makeEnrolmentToken(org, { usesLeft: 2, expiresAt: T0 + 100 }));
      assert.equal(await store.enrolmentTokens.consume(token.id, T0), true);
      assert.equal(await store.enrolmentTokens.consume(token.id, T0), true);
      assert.equal(await store.enrolmentTokens.consume(token.id, T0), false);
      assert.equal((await store.enrolmentTokens.get(token.id))?.usesLeft, 0);

      const expiring = await store.enrolmentTokens.create(makeEnrolmentToken(org, { expiresAt: T0 + 100 }));
      assert.equal(await store.enrolmentTokens.consume(expiring.id, T0 + 100), false, 'expired at expiresAt');
      assert.equal((await store.enrolmentTokens.get(expiring.id))?.usesLeft, 2);

      const revoked = await store.enrolmentTokens.create(makeEnrolmentToken(org));
      await store.enrolmentTokens.revoke(revoked.id, T0);
      assert.equal(await store.enrolmentTokens.consume(revoked.id, T0), false);
      assert.equal(await store.enrolmentTokens.consume(newId(), T0), false);
    });

    storeTest(open, 'concurrent consumers of the last use: exactly one wins', async (store) => {
      const org = await seedOrg(store);
      const token = await store.enrolmentTokens.create(makeEnrolmentToken(org, { usesLeft: 3 }));
      const results = await Promise.all(Array.from({ length: 8 }, () => store.enrolmentTokens.consume(token.id, T0)));
      assert.equal(results.filter(Boolean).length, 3);
      assert.equal((await store.enrolmentTokens.get(token.id))?.usesLeft, 0);
    });
  });

  describe('agent jobstates', () => {
    storeTest(
      open,
      "an agent's claim takes only that agent's prepared agent jobstates, oldest first",
      async (store) => {
        const run = await seedRun(store, { status: 'running' });
        const first = makeJobstate(run, {
          status: 'prepared',
          agentId: 'agent-1',
          preparedAt: T0 - 10,
          eventSeq: 7,
          elapsedMs: 5,
        });
        const second = makeJobstate(run, { status: 'prepared', agentId: 'agent-1', preparedAt: T0 - 5 });
        const third = makeJobstate(run, { status: 'prepared', agentId: 'agent-1', preparedAt: T0 });
        const onBehalf = makeJobstate(run, {
          status: 'prepared',
          agentId: 'agent-1',
          runner: 'server',
          preparedAt: T0 - 99,
        });
        await store.jobstates.insertMany([
          third,
          second,
          first,
          onBehalf,
          makeJobstate(run, { status: 'prepared', agentId: 'agent-2', preparedAt: T0 - 99 }),
          makeJobstate(run, { status: 'waiting', agentId: 'agent-1', preparedAt: T0 - 99 }),
        ]);
        const claimed = await claimForAgent(store, { agentId: 'agent-1', now: T0 + 1, capacity: 2 });
        assert.deepEqual(ids(claimed), [first.id, second.id]);
        for (const js of claimed) {
          assert.equal(js.status, 'running');
          assert.equal(js.startedAt, T0 + 1);
          assert.equal(js.eventSeq, 0);
          assert.equal(js.elapsedMs, 0);
          assert.equal(js.runner, 'agent');
          assert.deepEqual(await store.jobstates.get(js.id), js);
        }
        assert.deepEqual(
          await claimForAgent(store, { agentId: 'agent-1', now: T0 + 2, capacity: 10, skip: [third.id] }),
          [],
          'skipped',
        );
        assert.deepEqual(
          ids(await claimForAgent(store, { agentId: 'agent-1', now: T0 + 2, capacity: 10, skip: ['other'] })),
          [third.id],
        );
        assert.deepEqual(await claimForAgent(store, { agentId: 'agent-1', now: T0 + 3, capacity: 10 }), []);
        assert.deepEqual(ids(await store.jobstates.claimServer('node', T0 + 3, T0 + 9, 10)), [onBehalf.id]);
      },
    );

    storeTest(open, 'concurrent claims of one agent never get the same jobstate', async (store) => {
      const run = await seedRun(store, { status: 'running' });
      const all = Array.from({ length: 30 }, (_, i) =>
        makeJobstate(run, { status: 'prepared', agentId: 'agent-1', preparedAt: T0 + i }),
      );
      await store.jobstates.insertMany(all);
      const claims = await Promise.all(
        [1, 2, 3].map(() => claimForAgent(store, { agentId: 'agent-1', now: T0 + 100, capacity: 12 })),
      );
      const claimed = claims.flatMap(ids);
      assert.equal(new Set(claimed).size, claimed.length, 'a jobstate was claimed twice');
      assert.deepEqual([...claimed].sort(), ids(all).sort());
    });

    storeTest(open, 'claimForAgents: each agent its own, up to its capacity, past its own skip list', async (store) => {
      const run = await seedRun(store, { status: 'running' });
      const prepared = (agentId: string, i: number, more: Parameters<typeof makeJobstate>[1] = {}) =>
        makeJobstate(run, { status: 'prepared', agentId, preparedAt: T0 + i, ...more });
      const a = [prepared('agent-a', 3), prepared('agent-a', 1), prepared('agent-a', 2)];
      const b = [prepared('agent-b', 1), prepared('agent-b', 2)];
      const closed = prepared('agent-c', 0, { windowClosesAt: T0 + 50 });
      const c = prepared('agent-c', 1, { windowClosesAt: T0 + 500 });
      const d = [prepared('agent-d', 1), prepared('agent-d', 2)];
      const idle = prepared('agent-e', 1);
      await store.jobstates.insertMany([...a, ...b, closed, c, ...d, idle]);
      const claimed = await store.jobstates.claimForAgents(
        [
          { agentId: 'agent-a', capacity: 2, skip: [] },
          // agent-b names agent-d's first job: it skips its own first, and agent-d's stays agent-d's.
          { agentId: 'agent-b', capacity: 5, skip: [b[0]?.id as string, d[0]?.id as string] },
          { agentId: 'agent-c', capacity: 5, skip: [] },
          { agentId: 'agent-d', capacity: 1, skip: [] },
          { agentId: 'agent-e', capacity: 0, skip: [] },
          { agentId: 'agent-a', capacity: 5, skip: [] },
          { agentId: 'nobody', capacity: 5, skip: [] },
        ],
        T0 + 100,
      );
      assert.deepEqual(claimed.map(ids), [
        ids([a[1], a[2]] as typeof a),
        [b[1]?.id],
        [c.id],
        [d[0]?.id],
        [],
        [a[0]?.id],
        [],
      ]);
      for (const js of claimed.flat()) {
        assert.equal(js.status, 'running');
        assert.equal(js.startedAt, T0 + 100);
        assert.deepEqual(await store.jobstates.get(js.id), js);
      }
      assert.equal((await store.jobstates.get(closed.id))?.status, 'prepared', 'its window closed');
      assert.equal((await store.jobstates.get(idle.id))?.status, 'prepared', 'capacity 0');
      assert.deepEqual(await store.jobstates.claimForAgents([], T0 + 100), []);
    });

    storeTest(open, 'claimForAgents of agents asking one capacity: each its first ones, up to it', async (store) => {
      // One capacity for all (a fleet's usual case) is a shape of its own on SQLite, without a CASE over the agents.
      const run = await seedRun(store, { status: 'running' });
      const agents = ['agent-1', 'agent-2', 'agent-3', 'agent-4', 'agent-5'];
      const own = agents.map((agentId) =>
        [3, 1, 4, 2].map((at) => makeJobstate(run, { status: 'prepared', agentId, preparedAt: T0 + at })),
      );
      await store.jobstates.insertMany(own.flat());
      const firstTwo = (jobs: Jobstate[]) =>
        ids([...jobs].sort((x, y) => (x.preparedAt ?? 0) - (y.preparedAt ?? 0)).slice(0, 2));
      const requests = agents.map((agentId) => ({ agentId, capacity: 2, skip: [] }));
      const claimed = await store.jobstates.claimForAgents(requests, T0 + 100);
      assert.deepEqual(claimed.map(ids), own.map(firstTwo));
      const again = await store.jobstates.claimForAgents(requests, T0 + 101);
      assert.deepEqual(
        again.map(ids),
        own.map((jobs) => ids(jobs).filter((id) => !firstTwo(jobs).includes(id))),
      );
    });

    storeTest(open, 'claimForAgents of 300 agents, 60 holding 1,000 jobs: each gets its own', async (store) => {
      const run = await seedRun(store, { status: 'running' });
      const agents = Array.from({ length: 300 }, (_, i) => `agent-${i}`);
      const own = agents.map((agentId) => makeJobstate(run, { status: 'prepared', agentId, preparedAt: T0 }));
      await store.jobstates.insertMany(own);
      const holding = (i: number) => Array.from({ length: i % 5 === 0 ? 1000 : 3 }, () => newId());
      const claimed = await store.jobstates.claimForAgents(
        agents.map((agentId, i) => ({ agentId, capacity: 2, skip: holding(i) })),
        T0 + 1,
      );
      assert.deepEqual(
        claimed.map(ids),
        own.map((js) => [js.id]),
      );
    });

    storeTest(open, 'concurrent claimForAgents of the same agents never get the same jobstate', async (store) => {
      const run = await seedRun(store, { status: 'running' });
      const agents = ['agent-1', 'agent-2', 'agent-3'];
      const all = agents.flatMap((agentId) =>
        Array.from({ length: 12 }, (_, i) => makeJobstate(run, { status: 'prepared', agentId, preparedAt: T0 + i })),
      );
      await store.jobstates.insertMany(all);
      const requests = agents.map((agentId) => ({ agentId, capacity: 5, skip: [] }));
      const claimers = await Promise.all(
        [1, 2, 3].map(async () => {
          const mine: Jobstate[] = [];
          for (let round = 0; round < 20; round++)
            mine.push(...(await store.jobstates.claimForAgents(requests, T0 + 100)).flat());
          return mine;
        }),
      );
      const claimed = claimers.flat();
      assert.equal(new Set(ids(claimed)).size, claimed.length, 'a jobstate was claimed twice');
      assert.deepEqual(ids(claimed).sort(), ids(all).sort());
    });

    storeTest(open, 'listForAgent filters by status, runner and run', async (store) => {
      const run = await seedRun(store, { status: 'running' });
      const running = makeJobstate(run, { status: 'running', agentId: 'agent-1' });
      const waiting = makeJobstate(run, { status: 'waiting', agentId: 'agent-1' });
      const serverSide = makeJobstate(run, { status: 'running', agentId: 'agent-1', runner: 'server' });
      await store.jobstates.insertMany([
        running,
        waiting,
        serverSide,
        makeJobstate(run, { status: 'finished', agentId: 'agent-1' }),
        makeJobstate(run, { status: 'running', agentId: 'agent-2' }),
      ]);
      const list = (statuses: Parameters<Store['jobstates']['listForAgent']>[1]['statuses'], runner?: 'agent') =>
        store.jobstates.listForAgent('agent-1', runner ? { statuses, runner } : { statuses }, 10).then(ids);
      assert.deepEqual(await list(['running'], 'agent'), [running.id]);
      assert.deepEqual(await list(['running']), [running.id, serverSide.id]);
      assert.deepEqual(await list(['waiting', 'prepared', 'running']), [running.id, waiting.id, serverSide.id]);
      assert.deepEqual(await list([]), []);
      const other = await seedRun(store, { status: 'running' });
      const elsewhere = makeJobstate(other, { status: 'running', agentId: 'agent-1' });
      await store.jobstates.insertMany([elsewhere]);
      const ofRun = (runId: string) =>
        store.jobstates.listForAgent('agent-1', { statuses: ['running'], runId }, 10).then(ids);
      assert.deepEqual(await ofRun(other.id), [elsewhere.id]);
      assert.deepEqual(await ofRun(run.id), [running.id, serverSide.id]);
    });

    storeTest(open, 'getMany: the jobstates of the ids that exist, whole, however many ids', async (store) => {
      const run = await seedRun(store, { status: 'running' });
      const rows = Array.from({ length: 1203 }, (_, i) =>
        makeJobstate(run, { status: i % 2 ? 'running' : 'prepared', agentId: `agent-${i}`, eventSeq: i }),
      );
      await store.jobstates.insertMany(rows);
      const asked = [...rows.map((js) => js.id), newId()];
      const byId = new Map((await store.jobstates.getMany(asked)).map((js) => [js.id, js]));
      assert.equal(byId.size, rows.length, 'every existing id once, the unknown one left out');
      for (const js of [rows[0], rows[1202]] as Jobstate[])
        assert.deepEqual(byId.get(js.id), await store.jobstates.get(js.id));
      assert.deepEqual(
        (await store.jobstates.getMany([rows[7]?.id as string, rows[7]?.id as string, newId()])).map(
          (js) => js.eventSeq,
        ),
        [7],
      );
      assert.deepEqual(await store.jobstates.getMany([]), []);
    });

    storeTest(
      open,
      'listRunningOnAgents: the agent jobstates running on each agent, id, start and event seq only',
      async (store) => {
        const run = await seedRun(store, { status: 'running' });
        const first = makeJobstate(run, { status: 'running', agentId: 'agent-1', startedAt: T0 + 5, eventSeq: 3 });
        const second = makeJobstate(run, { status: 'running', agentId: 'agent-1', startedAt: null, eventSeq: 0 });
        await store.jobstates.insertMany([
          first,
          second,
          makeJobstate(run, { status: 'running', agentId: 'agent-1', runner: 'server' }),
          makeJobstate(run, { status: 'prepared', agentId: 'agent-1' }),
          makeJobstate(run, { status: 'running', agentId: 'agent-2' }),
        ]);
        const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
        const running = await store.jobstates.listRunningOnAgents(['agent-1', 'agent-2', 'nobody']);
        assert.deepEqual(running.get('agent-1')?.sort(byId), [
          { id: first.id, startedAt: T0 + 5, eventSeq: 3 },
          { id: second.id, startedAt: null, eventSeq: 0 },
        ]);
        assert.equal(running.get('agent-2')?.length, 1);
        assert.deepEqual(running.get('nobody'), []);
        // More agents than one statement takes (100): every one answered, none cut short.
        const many = Array.from({ length: 250 }, (_, i) => `fleet-${i}`);
        await store.jobstates.insertMany(
          many.flatMap((agentId) => [0, 1].map(() => makeJobstate(run, { status: 'running', agentId }))),
        );
        const all = await store.jobstates.listRunningOnAgents(many);
        assert.deepEqual(new Set(many.map((id) => all.get(id)?.length)), new Set([2]));
      },
    );

    storeTest(open, 'advanceEventSeq is a compare-and-set on the running attempt', async (store) => {
      const run = await seedRun(store, { status: 'running' });
      const js = makeJobstate(run, { status: 'running', agentId: 'agent-1', attempt: 2 });
      const ended = makeJobstate(run, { status: 'cancelled', agentId: 'agent-1' });
      await store.jobstates.insertMany([js, ended]);
      assert.equal(await store.jobstates.advanceEventSeq(js.id, 2, 0, 3, T0 + 1), true);
      assert.equal(await store.jobstates.advanceEventSeq(js.id, 2, 0, 5, T0 + 2), false, 'stale from');
      assert.equal(await store.jobstates.advanceEventSeq(js.id, 1, 3, 5, T0 + 2), false, 'older attempt');
      assert.equal(await store.jobstates.advanceEventSeq(ended.id, 1, 0, 1, T0 + 2), false, 'not running');
      const stored = await store.jobstates.get(js.id);
      assert.equal(stored?.eventSeq, 3);
      assert.equal(stored?.updatedAt, T0 + 1);
    });

    storeTest(open, 'eventSeq and progress are patchable and round-trip', async (store) => {
      const run = await seedRun(store, { status: 'running' });
      const js = makeJobstate(run, { status: 'running', agentId: 'agent-1' });
      await store.jobstates.insertMany([js]);
      const progress = { percent: 42.5, message: 'copying', at: T0 + 3 };
      assert.equal(await store.jobstates.update(js.id, { eventSeq: 9, progress, updatedAt: T0 + 3 }), true);
      assert.deepEqual(await store.jobstates.get(js.id), { ...js, eventSeq: 9, progress, updatedAt: T0 + 3 });
      await store.jobstates.update(js.id, { progress: null, eventSeq: 0, updatedAt: T0 + 4 });
      assert.equal((await store.jobstates.get(js.id))?.progress, null);
    });
  });
}
