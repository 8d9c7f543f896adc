// Browser test of the task editor's wall times and errors: blackouts (and the active
// period) are edited and shown in the task's zone while the browser runs in another one;
// a refused save shows the server's message next to the field it names; the history names
// fields as the task file does.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, launchBrowser, openPage, screenshot, signIn, startUiServer, type UiServer } from './support.ts';

type Task = { id: string; blackouts: { from: string; to: string }[]; activeTill: string | null };

describe('web UI: the task editor in the task zone', () => {
  let ui: UiServer;
  let browser: Browser;
  let task: Task;

  before(async () => {
    ui = await startUiServer();
    // The browser six hours behind the task: every wall time would read differently in it.
    browser = await launchBrowser({ timezoneId: 'America/New_York' });
    task = await ui.api<Task>('POST', '/api/v1/tasks', {
      name: 'paris-backup',
      schedule: { kind: 'weekly', days: ['mon'], at: '09:00', tz: 'Europe/Paris' },
      blackouts: [{ from: '2026-12-24T18:00:00+01:00', to: '2026-12-26T00:00:00+01:00' }],
      jobs: [{ name: 'n', module: 'noop' }],
    });
  });
  after(async () => {
    await browser?.close();
    await ui?.close();
  });

  test("blackouts show and save in the task's zone (its offset at each date), not the browser's", async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'ada');
    assert.equal(await page.evaluate('Intl.DateTimeFormat().resolvedOptions().timeZone'), 'America/New_York');
    await page.goto(`${ui.url}/#/tasks/${task.id}`);
    await page.getByLabel('Blackout 1 from').waitFor();
    assert.equal(await page.getByLabel('Blackout 1 from').inputValue(), '2026-12-24T18:00');
    assert.equal(await page.getByLabel('Blackout 1 until').inputValue(), '2026-12-26T00:00');
    assert.match((await page.getByTestId('blackouts-zone').textContent()) ?? '', /Europe\/Paris/);
    // Summer time in Paris: the same wall-time field gets that date's offset.
    await page.getByLabel('Blackout 1 from').fill('2027-07-14T08:00');
    await page.getByLabel('Blackout 1 until').fill('2027-07-15T20:30');
    await page.getByLabel('Active until (optional)').fill('2027-12-31T23:00');
    await page.getByRole('button', { name: 'Add a blackout' }).click();
    await screenshot(page, 'task-blackouts-paris-in-new-york-1280');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(/Saved version 2/).waitFor();
    const saved = await ui.api<Task>('GET', `/api/v1/tasks/${task.id}`);
    assert.deepEqual(saved.blackouts[0], { from: '2027-07-14T08:00:00+02:00', to: '2027-07-15T20:30:00+02:00' });
    assert.equal(saved.activeTill, '2027-12-31T23:00:00+01:00');
    // The added one: tomorrow in Paris, midnight to midnight.
    const added = saved.blackouts[1];
    assert.match(added?.from ?? '', /^\d{4}-\d\d-\d\dT00:00:00\+0[12]:00$/);
    assert.equal(Date.parse(added?.to ?? '') - Date.parse(added?.from ?? '') >= 23 * 3_600_000, true);
    const parisToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
    assert.ok((added?.from ?? '') > parisToday, `${added?.from} is after ${parisToday}`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a refused save shows the message next to the field the server names', async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'ada');
    await page.goto(`${ui.url}/#/tasks/${task.id}`);
    await page.getByLabel('Blackout 1 until').fill('2027-07-13T08:00');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const until = page.getByLabel('Blackout 1 until');
    await page.locator('[aria-invalid="true"]').first().waitFor();
    assert.equal(await until.getAttribute('aria-invalid'), 'true');
    const errorId = ((await until.getAttribute('aria-describedby')) ?? '').split(' ').at(-1);
    assert.equal(await page.locator(`[id="${errorId}"]`).textContent(), 'must be later than from');
    assert.equal(await page.getByLabel('Blackout 1 from').getAttribute('aria-invalid'), null);
    await page.getByLabel('Blackout 1 until').fill('2027-07-15T20:30');
    await page.getByLabel('Expire after').fill('soon');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('[aria-invalid="true"]').first().waitFor();
    assert.equal(await page.getByLabel('Expire after').getAttribute('aria-invalid'), 'true');
    assert.equal(await until.getAttribute('aria-invalid'), null, 'the previous error is gone');
    await screenshot(page, 'task-field-error-1280');
    // A module's param, checked against its schema: the error is at that param's field.
    await page.getByLabel('Expire after').fill('1d');
    await page.getByRole('button', { name: 'Edit Job 1 params as JSON' }).click();
    await page.getByLabel('Job 1 params (JSON)').fill('{"chunks": -3}');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(/^jobs\[0\]\.params\.chunks: /).waitFor();
    assert.equal(await page.getByLabel('Job 1 params (JSON)').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Expire after').getAttribute('aria-invalid'), null);
    assert.equal((await ui.api<{ version: number }>('GET', `/api/v1/tasks/${task.id}`)).version, 2, 'nothing saved');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the history diff names fields as the task file does', async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'ada');
    await page.goto(`${ui.url}/#/tasks/${task.id}`);
    await page.getByLabel('Expire after').fill('3h');
    await page.getByLabel('Retries').fill('2');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(/Saved version 3/).waitFor();
    await page.getByRole('link', { name: 'History' }).click();
    await page.locator('[data-field="expireAfter"] pre').waitFor();
    assert.deepEqual(await page.locator('[data-field="expireAfter"] pre > span').allTextContents(), [
      '- "1d"\n',
      '+ "3h"\n',
    ]);
    const jobs = (await page.locator('[data-field="jobs"] pre').textContent()) ?? '';
    assert.match(jobs, /\+ +"attempts": 2/);
    assert.doesNotMatch(jobs, /retryAttempts|expireAfterSeconds/);
    assert.equal(await page.locator('[data-field="expireAfterSeconds"]').count(), 0);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
