// Shared calendars over the API (issue 15, part 4): CRUD by org-admins, global ones by the
// global admin only, field-naming errors, a task's `calendars` checked, deletion refused
// while a task lists one, the preview naming the calendar that defers a firing, and the
// attacks: another org's calendar is 404, an operator cannot write, an org-admin cannot
// change a global one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ServerHarness, startServerHarness } from '../support/server.ts';

describe('calendars API', () => {
  let h: ServerHarness;
  let orgAdmin: string;
  let operator: string;
  let viewer: string;
  let otherAdmin: string;

  before(async () => {
    h = await startServerHarness();
    const org = await h.createOrg('acme');
    const other = await h.createOrg('globex');
    orgAdmin = (await h.createUser(org.id, 'ada', 'org-admin')).token;
    operator = (await h.createUser(org.id, 'otto', 'operator')).token;
    viewer = (await h.createUser(org.id, 'vera', 'viewer')).token;
    otherAdmin = (await h.createUser(other.id, 'eve', 'org-admin')).token;
  });
  after(() => h.cleanup());

  const as = (token: string, method: string, url: string, body: unknown, status: number) =>
    h.expect(status, method, url, { token, ...(body === undefined ? {} : { body }) });
  const task = (name: string, calendars: string[]) => ({
    name,
    schedule: { kind: 'cron', expr: '0 9 * * *', tz: 'Europe/Paris' },
    calendars,
    jobs: [{ name: 'work', module: 'noop', params: {}, targets: { server: true } }],
  });

  test('an org-admin creates, reads, changes and deletes a calendar; viewers read it', async () => {
    const created = (
      await as(
        orgAdmin,
        'POST',
        '/api/v1/calendars',
        {
          name: 'holidays',
          blackouts: [{ from: '2026-12-24T00:00:00+01:00', to: '2026-12-27T00:00:00+01:00' }],
          yearly: ['12-25', '01-01'],
        },
        201,
      )
    ).json;
    assert.deepEqual(created.yearly, ['01-01', '12-25']);
    assert.equal(created.managed, true);
    const listed = (await as(viewer, 'GET', '/api/v1/calendars', undefined, 200)).json;
    assert.deepEqual(
      listed.items.map((c: { name: string; managed: boolean }) => [c.name, c.managed]),
      [['holidays', false]],
    );
    const changed = (await as(orgAdmin, 'PATCH', `/api/v1/calendars/${created.id}`, { yearly: ['05-01'] }, 200)).json;
    assert.deepEqual(changed.yearly, ['05-01']);
    assert.equal(changed.blackouts.length, 1, 'what the change leaves out stays');
    await as(orgAdmin, 'POST', '/api/v1/calendars', { name: 'holidays' }, 409);
    await as(orgAdmin, 'DELETE', `/api/v1/calendars/${created.id}`, undefined, 204);
    await as(viewer, 'GET', `/api/v1/calendars/${created.id}`, undefined, 404);
  });

  test('bad input names the field and writes nothing', async () => {
    for (const [body, field] of [
      [{ name: 'x', yearly: ['02-30'] }, 'yearly[0]'],
      [{ name: 'x', yearly: ['12-25', '13-01'] }, 'yearly[1]'],
      [{ name: 'x', yearly: ['1225'] }, 'yearly[0]'],
      [{ name: 'x', blackouts: [{ from: '2026-12-24T00:00:00Z', to: '2026-12-23T00:00:00Z' }] }, 'blackouts[0].to'],
      [{ name: 'x', blackouts: [{ from: '2026-12-24T00:00:00', to: '2026-12-25T00:00:00Z' }] }, 'blackouts[0].from'],
      [{ name: '../x' }, 'name'],
      [{ name: 'x', colour: 'red' }, 'colour'],
    ] as const) {
      const reply = await as(orgAdmin, 'POST', '/api/v1/calendars', body, 400);
      assert.equal(reply.json.error.code, 'invalid_input');
      assert.match(
        reply.json.error.message,
        new RegExp(`^${field.replace(/[[\].]/g, '\\$&')}: `),
        JSON.stringify(body),
      );
    }
    const page = (await as(orgAdmin, 'GET', '/api/v1/calendars', undefined, 200)).json;
    assert.equal(page.items.filter((c: { name: string }) => c.name === 'x').length, 0);
  });

  test('a change with a field a calendar has not (or may not change) is 400 naming it, and changes nothing', async () => {
    const created = (await as(orgAdmin, 'POST', '/api/v1/calendars', { name: 'strict', yearly: ['12-25'] }, 201)).json;
    for (const body of [{ colour: 'red' }, { name: 'renamed' }]) {
      const reply = await as(orgAdmin, 'PATCH', `/api/v1/calendars/${created.id}`, body, 400);
      const field = Object.keys(body)[0];
      assert.equal(reply.json.error.message, `${field}: is not a known field`);
    }
    const after = (await as(orgAdmin, 'GET', `/api/v1/calendars/${created.id}`, undefined, 200)).json;
    assert.deepEqual([after.name, after.yearly], ['strict', ['12-25']]);
  });

  test('a task lists calendars by name: unknown → 400 naming calendars[i]; in use → 409 naming the task', async () => {
    const calendar = (await as(orgAdmin, 'POST', '/api/v1/calendars', { name: 'freeze', yearly: ['12-31'] }, 201)).json;
    const unknown = await as(operator, 'POST', '/api/v1/tasks', task('t-unknown', ['freeze', 'nope']), 400);
    assert.match(unknown.json.error.message, /^calendars\[1\]: no calendar named "nope"/);
    const created = (await as(operator, 'POST', '/api/v1/tasks', task('t-freeze', ['freeze']), 201)).json;
    assert.deepEqual(created.calendars, ['freeze']);
    const refused = await as(orgAdmin, 'DELETE', `/api/v1/calendars/${calendar.id}`, undefined, 409);
    assert.equal(refused.json.error.code, 'calendar_in_use');
    assert.match(refused.json.error.message, /"t-freeze"/);
    assert.deepEqual(
      refused.json.error.details.tasks.map((t: { name: string }) => t.name),
      ['t-freeze'],
    );
    await as(operator, 'PUT', `/api/v1/tasks/${created.id}`, task('t-freeze', []), 200);
    await as(orgAdmin, 'DELETE', `/api/v1/calendars/${calendar.id}`, undefined, 204);
  });

  test('changing a calendar re-plans the tasks listing it', async () => {
    const calendar = (await as(orgAdmin, 'POST', '/api/v1/calendars', { name: 'replan' }, 201)).json;
    const created = (await as(operator, 'POST', '/api/v1/tasks', task('t-replan', ['replan']), 201)).json;
    const before = (await h.store.triggers.get(created.id))?.nextFireAt as number;
    const day = new Date(before);
    const monthDay = `${String(day.getUTCMonth() + 1).padStart(2, '0')}-${String(day.getUTCDate()).padStart(2, '0')}`;
    // 09:00 Paris is 08:00 (winter) or 07:00 (summer) UTC: the same day in both zones.
    await as(orgAdmin, 'PATCH', `/api/v1/calendars/${calendar.id}`, { yearly: [monthDay] }, 200);
    const afterChange = (await h.store.triggers.get(created.id))?.nextFireAt as number;
    assert.ok(afterChange > before, 'the firing on the calendar day moved on');
    await as(operator, 'PUT', `/api/v1/tasks/${created.id}`, task('t-replan', []), 200);
  });

  test('global calendars: the admin’s, read by every org, changed by no org-admin', async () => {
    const global = (
      await as(h.adminToken, 'POST', '/api/v1/calendars', { name: 'world', yearly: ['01-01'], global: true }, 201)
    ).json;
    assert.equal(global.orgId, null);
    await as(orgAdmin, 'POST', '/api/v1/calendars', { name: 'mine', global: true }, 403);
    const seen = (await as(viewer, 'GET', `/api/v1/calendars/${global.id}`, undefined, 200)).json;
    assert.equal(seen.managed, false);
    await as(orgAdmin, 'PATCH', `/api/v1/calendars/${global.id}`, { yearly: [] }, 403);
    await as(orgAdmin, 'DELETE', `/api/v1/calendars/${global.id}`, undefined, 403);
    // A task of any org may list it.
    const created = (await as(operator, 'POST', '/api/v1/tasks', task('t-world', ['world']), 201)).json;
    await as(h.adminToken, 'DELETE', `/api/v1/calendars/${global.id}`, undefined, 409);
    await h.expect(200, 'PUT', `/api/v1/tasks/${created.id}`, { token: operator, body: task('t-world', []) });
    await as(h.adminToken, 'DELETE', `/api/v1/calendars/${global.id}`, undefined, 204);
  });

  test('attacks: another org’s calendar is 404 to read, change, delete or list in a task; operators cannot write', async () => {
    const theirs = (await as(otherAdmin, 'POST', '/api/v1/calendars', { name: 'secret-days' }, 201)).json;
    await as(orgAdmin, 'GET', `/api/v1/calendars/${theirs.id}`, undefined, 404);
    await as(orgAdmin, 'PATCH', `/api/v1/calendars/${theirs.id}`, { yearly: ['01-02'] }, 404);
    await as(orgAdmin, 'DELETE', `/api/v1/calendars/${theirs.id}`, undefined, 404);
    const listed = (await as(orgAdmin, 'GET', '/api/v1/calendars', undefined, 200)).json;
    assert.ok(!listed.items.some((c: { id: string }) => c.id === theirs.id));
    const refused = await as(operator, 'POST', '/api/v1/tasks', task('t-theirs', ['secret-days']), 400);
    assert.match(refused.json.error.message, /^calendars\[0\]: no calendar named/);
    await as(operator, 'POST', '/api/v1/calendars', { name: 'op' }, 403);
    await as(viewer, 'POST', '/api/v1/calendars', { name: 'op' }, 403);
    const ours = (await as(orgAdmin, 'POST', '/api/v1/calendars', { name: 'ours' }, 201)).json;
    await as(operator, 'PATCH', `/api/v1/calendars/${ours.id}`, { yearly: [] }, 403);
    await as(operator, 'DELETE', `/api/v1/calendars/${ours.id}`, undefined, 403);
    const stored = (await as(otherAdmin, 'GET', `/api/v1/calendars/${theirs.id}`, undefined, 200)).json;
    assert.deepEqual(stored.yearly, [], 'nothing changed');
  });

  test('the preview says which calendar defers a firing', async () => {
    await as(orgAdmin, 'POST', '/api/v1/calendars', { name: 'xmas', yearly: ['12-25'] }, 201);
    const preview = (
      await as(
        viewer,
        'POST',
        '/api/v1/schedules/preview',
        {
          schedule: { kind: 'cron', expr: '0 9 * * *', tz: 'Europe/Paris' },
          calendars: ['xmas'],
          from: '2026-12-24T12:00:00Z',
          count: 2,
        },
        200,
      )
    ).json;
    assert.deepEqual(preview.firings, ['2026-12-25T23:00:00.000Z', '2026-12-26T08:00:00.000Z']);
    assert.deepEqual(preview.deferred, [
      {
        firing: '2026-12-25T23:00:00.000Z',
        wouldBe: '2026-12-25T08:00:00.000Z',
        calendar: 'xmas',
        from: '2026-12-24T23:00:00.000Z',
        until: '2026-12-25T23:00:00.000Z',
      },
    ]);
    assert.match(preview.description, /calendar xmas \(every 12-25\)/);
    const bad = await as(
      viewer,
      'POST',
      '/api/v1/schedules/preview',
      { schedule: { kind: 'manual' }, calendars: ['nope'] },
      400,
    );
    assert.match(bad.json.error.message, /^calendars\[0\]/);
  });
});
