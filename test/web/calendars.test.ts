// Browser test of shared calendars: an org-admin adds one under Admin › Calendars (a bad
// day refused with the field named), changes it, sees a global one read-only, and the task
// editor's preview says which calendar defers a firing; deleting one a task lists is
// refused with the task named.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, launchBrowser, openPage, screenshot, signIn, startUiServer, type UiServer } from './support.ts';

describe('web UI: calendars', () => {
  let ui: UiServer;
  let browser: Browser;

  before(async () => {
    ui = await startUiServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await ui?.close();
  });

  test('an org-admin adds and changes a calendar; the editor preview names it', async () => {
    await ui.adminApi('POST', '/api/v1/calendars', { name: 'world', yearly: ['01-01'], global: true });
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'ada');
    await page.goto(`${ui.url}/#/admin?tab=calendars`);
    await page.getByRole('cell', { name: 'world (global)' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Delete world' }).count(), 0, 'a global one is read-only');

    const form = page.getByRole('form', { name: 'Add a calendar' });
    await form.getByLabel('Calendar name').fill('holidays');
    await form.getByLabel('Every year').fill('12-25, 02-30');
    await form.getByRole('button', { name: 'Add calendar' }).click();
    await page.getByText(/yearly\[1\]: "02-30" is not a day of the year/).waitFor();
    await form.getByLabel('Every year').fill('12-25');
    await form.getByLabel('Blackouts').fill('2026-12-30T00:00:00+01:00 → 2027-01-02T00:00:00+01:00');
    await form.getByRole('button', { name: 'Add calendar' }).click();
    await page.getByRole('cell', { name: 'holidays', exact: true }).waitFor();

    await page.getByRole('button', { name: 'Edit holidays' }).click();
    const edit = page.getByRole('form', { name: 'Change the calendar holidays' });
    await edit.getByLabel('Every year').fill('12-25, 12-26');
    await edit.getByRole('button', { name: 'Save calendar' }).click();
    await page.getByRole('cell', { name: '12-25, 12-26' }).waitFor();
    await screenshot(page, 'calendars-admin');

    const task = await ui.api<{ id: string }>('POST', '/api/v1/tasks', {
      name: 'nightly',
      schedule: { kind: 'cron', expr: '0 9 * * *', tz: 'Europe/Paris' },
      activeFrom: '2026-12-24T12:00:00Z',
      calendars: ['holidays'],
      jobs: [{ name: 'work', module: 'noop', params: {}, targets: { server: true } }],
    });
    await page.goto(`${ui.url}/#/tasks/${task.id}`);
    const preview = page.getByRole('region', { name: 'Next firings' });
    await preview.getByText('deferred by calendar holidays').first().waitFor();

    await page.goto(`${ui.url}/#/admin?tab=calendars`);
    page.once('dialog', (dialog) => dialog.accept());
    await page.getByRole('button', { name: 'Delete holidays' }).click();
    await page.getByText(/calendar "holidays" is listed by task "nightly"/).waitFor();
    assert.deepEqual(errors, []);
    await page.close();
  });
});
