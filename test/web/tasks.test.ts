// Browser tests of the task pages: sign-in, the task editor (monthly-nth schedule, the
// timeslot grid drawn with the mouse, the live preview) and what a viewer may not do.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  type Browser,
  launchBrowser,
  openPage,
  overflowsHorizontally,
  PASSWORD,
  screenshot,
  signIn,
  startUiServer,
  type UiServer,
} from './support.ts';

/** UTC offset of `tz` at `ms`, in minutes ("GMT+02:00" → 120). */
function offsetMinutes(ms: number, tz: string): number {
  const name = new Intl.DateTimeFormat('en-GB', { timeZone: tz, timeZoneName: 'longOffset' })
    .formatToParts(new Date(ms))
    .find((p) => p.type === 'timeZoneName')?.value;
  const m = /GMT([+-])(\d\d):(\d\d)/.exec(name ?? '');
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** The next `count` second Tuesdays at 09:00 in Paris, as the preview prints them in UTC. */
function secondTuesdaysAt9Paris(count: number, after: number): string[] {
  const out: string[] = [];
  const start = new Date(after);
  for (let i = 0; out.length < count; i++) {
    const y = start.getUTCFullYear();
    const m = start.getUTCMonth() + i;
    const firstTuesday = [1, 2, 3, 4, 5, 6, 7].find((d) => new Date(Date.UTC(y, m, d)).getUTCDay() === 2) as number;
    const wall = Date.UTC(y, m, firstTuesday + 7, 9, 0);
    const at = wall - offsetMinutes(wall, 'Europe/Paris') * 60_000;
    if (at > after) out.push(`${new Date(at).toISOString().slice(0, 16).replace('T', ' ')}Z`);
  }
  return out;
}

async function dragCells(page: Page, from: [number, number], to: [number, number]) {
  const cell = (day: number, hour: number) => page.locator(`[data-day="${day}"][data-hour="${hour}"]`);
  // Clear of the sticky save bar at the bottom of the window.
  await page.locator('.slot-grid').evaluate((grid) => grid.scrollIntoView({ block: 'center' }));
  const a = await cell(...from).boundingBox();
  const b = await cell(...to).boundingBox();
  assert.ok(a && b, 'grid cells are on screen');
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 6 });
  await page.mouse.up();
}

describe('web UI: tasks', () => {
  let ui: UiServer;
  let browser: Browser;
  let taskId: string;

  before(async () => {
    ui = await startUiServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await ui?.close();
  });

  test('sign-in refuses a wrong password, then signs in and out', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(ui.url);
    await page.getByLabel('User name').fill('ada');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'wrong name or password' }).waitFor();
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Monitoring' }).waitFor();
    await page.getByText('org-admin').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('creates a task with a monthly-nth schedule and a drawn timeslot; the preview shows the right firings', async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'ada');
    await page.goto(`${ui.url}/#/tasks/new`);
    await page.getByLabel('Name', { exact: true }).fill('second-tuesday-report');
    await page.getByLabel('Kind').selectOption('monthly');
    await page.getByLabel('Time zone').fill('Europe/Paris');
    await page.getByLabel('a weekday of the month').check();
    await page.getByLabel('Which', { exact: true }).selectOption('2');
    await page.getByLabel('Weekday', { exact: true }).selectOption('tue');
    await page.getByLabel('At (time of day)').fill('09:00');

    const expected = secondTuesdaysAt9Paris(8, Date.now());
    // A locator, not waitForFunction: the page's Content-Security-Policy forbids the eval a string predicate needs.
    const firstFiring = () =>
      page
        .locator('.firing-utc')
        .first()
        .filter({ hasText: new RegExp(`^${expected[0]}$`) })
        .waitFor();
    await firstFiring();
    // Tuesday 08:00–12:00, then a rectangle over Wednesday and Thursday 14:00–16:00.
    await dragCells(page, [1, 8], [1, 11]);
    await dragCells(page, [2, 14], [3, 15]);
    await page.getByTestId('timeslot-summary').filter({ hasText: '8 of 168 hours allowed' }).waitFor();
    assert.match(
      (await page.getByTestId('timeslot-summary').textContent()) ?? '',
      /Tue 08:00–12:00, Wed 14:00–16:00, Thu 14:00–16:00/,
    );

    const utc = page.locator('.firing-utc');
    await firstFiring();
    assert.deepEqual(await utc.allTextContents(), expected);
    const local = await page.locator('.firing-local').allTextContents();
    assert.ok(
      local.every((text) => /^Tue \d\d \w{3} \d{4}, 09:00 GMT\+0[12]:00$/.test(text)),
      local.join('\n'),
    );
    // Eight months always cross a DST change: the offset shown changes with it.
    assert.equal(new Set(local.map((text) => text.slice(-9))).size, 2, local.join('\n'));

    await page.getByRole('button', { name: 'Add a job' }).click();
    await page.getByLabel('Job 1 module').selectOption('noop');
    await page.getByLabel('log', { exact: true }).fill('hello from the UI');
    await page.getByLabel('chunks', { exact: true }).fill('2');
    await screenshot(page, 'task-editor-1280');
    await page.getByRole('button', { name: 'Create task' }).click();
    await page.waitForURL(/#\/tasks\/[0-9a-f-]{36}$/);
    taskId = page.url().split('/').at(-1) as string;
    await page.getByRole('heading', { name: 'second-tuesday-report' }).waitFor();

    const saved = await ui.api<{ schedule: unknown; timeslots: unknown; jobs: { params: unknown }[] }>(
      'GET',
      `/api/v1/tasks/${taskId}`,
    );
    assert.deepEqual(saved.schedule, { kind: 'monthly', nth: 2, weekday: 'tue', at: '09:00', tz: 'Europe/Paris' });
    assert.deepEqual(saved.timeslots, [
      { day: 1, from: '08:00', to: '12:00' },
      { day: 2, from: '14:00', to: '16:00' },
      { day: 3, from: '14:00', to: '16:00' },
    ]);
    assert.deepEqual(saved.jobs[0]?.params, { log: 'hello from the UI', chunks: 2, failTimes: 0, sleepMs: 0 });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('an edit lands in the history as a readable diff; the grid works from the keyboard', async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'ada');
    await page.goto(`${ui.url}/#/tasks/${taskId}`);
    await page.locator('[data-day="0"][data-hour="8"]').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space');
    await page.getByTestId('timeslot-summary').filter({ hasText: 'Mon 09:00–10:00' }).waitFor();
    await page.getByLabel('When the window closes').selectOption('cancel');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(/Saved version 2/).waitFor();
    assert.equal((await ui.api<{ timeslotEnd: string }>('GET', `/api/v1/tasks/${taskId}`)).timeslotEnd, 'cancel');
    await page.getByRole('link', { name: 'History' }).click();
    const diff = page.locator('[data-field="timeslots"] pre');
    await diff.waitFor();
    assert.match((await diff.locator('.diff-add').allTextContents()).join(''), /\+ .*"from": "09:00"/);
    assert.deepEqual(await page.locator('[data-field="timeslotEnd"] pre > span').allTextContents(), [
      '- "finish"\n',
      '+ "cancel"\n',
    ]);
    await page.getByText('update by ada').waitFor();
    await page.getByText('create by ada').waitFor();
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a viewer sees the task but no edit or run buttons', async () => {
    const { page, errors } = await openPage(browser);
    await browser.context.clearCookies();
    await signIn(page, ui.url, 'vic');
    await page.goto(`${ui.url}/#/tasks`);
    await page.getByRole('link', { name: 'second-tuesday-report' }).click();
    await page.getByRole('heading', { name: 'second-tuesday-report' }).waitFor();
    await page.getByLabel('Name', { exact: true }).waitFor();
    for (const name of ['Run now', 'Disable', 'Delete', 'Save changes', 'Add a job', 'Add a blackout', 'Clear']) {
      assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, `viewer sees "${name}"`);
    }
    assert.equal(await page.getByLabel('Name', { exact: true }).isDisabled(), true);
    await page.goto(`${ui.url}/#/tasks`);
    await page.getByRole('heading', { name: 'Tasks' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'New task' }).count(), 0);
    await page.goto(`${ui.url}/#/admin`);
    await page.getByRole('heading', { name: 'Administration' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add command' }).count(), 0);
    await page.setViewportSize({ width: 800, height: 1000 });
    await page.goto(`${ui.url}/#/tasks/${taskId}`);
    await page.getByLabel('Name', { exact: true }).waitFor();
    await screenshot(page, 'task-viewer-800');
    assert.equal(await overflowsHorizontally(page), false, 'the task page fits 800 px');
    assert.deepEqual(errors, []);
    await page.close();
  });
});
