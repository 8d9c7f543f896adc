// Browser tests of monitoring: a line updating live to 100 % with its module details, the
// logs of a jobstate (followed while it runs, stderr marked), runs with relaunch, reports
// with CSV, the other pages without crashes, and the layout at 800 px.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import {
  type Browser,
  launchBrowser,
  openPage,
  overflowsHorizontally,
  screenshot,
  signIn,
  startUiServer,
  styleOf,
  type UiServer,
} from './support.ts';

const serverJob = (name: string, module: string, params: Record<string, unknown>) => ({
  name,
  module,
  params,
  targets: { server: true },
});

describe('web UI: monitoring', () => {
  let ui: UiServer;
  let browser: Browser;
  const ids: Record<string, string> = {};

  before(async () => {
    ui = await startUiServer();
    browser = await launchBrowser();
    await ui.adminApi('POST', '/api/v1/commands?org=acme', {
      name: 'two-streams',
      argv: ['sh', '-c', 'echo to-stdout; echo to-stderr >&2'],
      runsOn: 'server',
    });
    const tasks = {
      'slow-sync': [serverJob('sync', 'noop', { log: 'tick', chunks: 3, sleepMs: 1200 })],
      'shell-report': [serverJob('report', 'command', { command: 'two-streams' })],
      'flaky-backup': [serverJob('dump', 'noop', { log: 'dumped' }), serverJob('upload', 'noop', { failTimes: 1 })],
    };
    for (const [name, jobs] of Object.entries(tasks)) {
      ids[name] = (
        await ui.api<{ id: string }>('POST', '/api/v1/tasks', { name, schedule: { kind: 'manual' }, jobs })
      ).id;
    }
  });
  after(async () => {
    await browser?.close();
    await ui?.close();
  });

  test('a line goes live to 100 % with its module details; its logs are followed while it runs', async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'ada');
    const line = page.locator('li.monitor-line[data-task="slow-sync"]');
    await line.getByText('never ran').waitFor();
    await page.getByText('● live').waitFor();
    // Started from outside the page: only the event stream can tell the page.
    await ui.api('POST', `/api/v1/tasks/${ids['slow-sync']}/runs`);
    await line.locator('.status-running').waitFor();
    await line.getByRole('button', { name: /slow-sync/ }).click();
    await line.getByRole('button', { name: /server/ }).click();
    const log = line.getByRole('log');
    await line.getByText('● following live').waitFor();
    await log.getByText('chunk 1/3').waitFor();
    await screenshot(page, 'monitoring-following-1280');
    await log.getByText('chunk 3/3').waitFor({ timeout: 15_000 });
    await line.locator('.monitor-row .completion-number').filter({ hasText: '100 %' }).waitFor();
    assert.equal(await line.locator('.monitor-row .task-details').textContent(), '1 ok, 0 failed');
    await line.locator('.monitor-row .status-finished').waitFor();
    await line.getByText('● following live').waitFor({ state: 'detached' });
    assert.deepEqual(await log.locator('.log-stdout .log-text').allTextContents(), ['tick', 'tick', 'tick']);
    assert.equal(await log.locator('.log-info').count(), 3);
    assert.match(page.url(), /open=.*&log=/, 'the open line and the log are in the URL');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('stderr lines are marked apart from stdout; filters and search narrow the lines', async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'ada');
    await page.goto(`${ui.url}/#/tasks/${ids['shell-report']}`);
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.getByRole('status').locator('.status-finished').waitFor();
    await page.getByRole('link', { name: 'monitor', exact: true }).click();
    const line = page.locator('li.monitor-line[data-task="shell-report"]');
    await line.getByRole('button', { name: /server/ }).click();
    await line.locator('.log-stderr').getByText('to-stderr').waitFor();
    await line.locator('.log-stdout').getByText('to-stdout').waitFor();
    const scope = 'li.monitor-line[data-task="shell-report"]';
    assert.notEqual(
      await styleOf(page, `${scope} .log-stdout`, 'color'),
      await styleOf(page, `${scope} .log-stderr`, 'color'),
    );

    await page.getByLabel('Search by name').fill('shell');
    await page.getByText('1 of 3 tasks').waitFor();
    await page.getByLabel('Search by name').fill('');
    await page.getByLabel('Status').selectOption('idle');
    await page.getByText('1 of 3 tasks').waitFor();
    assert.equal(await page.locator('li.monitor-line[data-task="flaky-backup"]').count(), 1);
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Module').selectOption('command');
    await page.getByText('1 of 3 tasks').waitFor();
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a failed run is relaunched for its failed targets only; the report exports CSV', async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'ada');
    await ui.api('POST', `/api/v1/tasks/${ids['flaky-backup']}/runs?wait=10`);
    await page.goto(`${ui.url}/#/runs?task=${ids['flaky-backup']}`);
    await page.getByRole('link', { name: 'flaky-backup' }).click();
    await page.getByRole('heading', { name: /Run of flaky-backup/ }).waitFor();
    assert.equal(await page.locator('.job-group').count(), 2);
    await page.getByRole('button', { name: 'Relaunch failed targets only (1)' }).click();
    await page.waitForURL((url) => !url.hash.includes(ids['flaky-backup'] as string));
    await page.locator('.job-group h4').filter({ hasText: 'upload' }).waitFor();
    assert.equal(await page.locator('.job-group').count(), 1, 'only the failed job runs again');
    await screenshot(page, 'run-detail-1280');

    await page.goto(`${ui.url}/#/reports?task=${ids['flaky-backup']}&days=7`);
    await page.locator('.chart canvas').first().waitFor();
    assert.equal(await page.locator('.totals dd').first().textContent(), '2');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const csv = await readFile((await (await download).path()) as string, 'utf8');
    const [header, ...rows] = csv.trim().split('\r\n');
    assert.equal(header, 'start,runs,finished,error,cancelled,other,success_rate,p50_seconds,p90_seconds');
    assert.equal(rows.length, 7 + 1, 'one row per day of the range');
    await screenshot(page, 'reports-1280');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('an enrolment token made in the UI enrols an agent, which the agents page then shows', async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'ada');
    await page.goto(`${ui.url}/#/agents`);
    await page.getByText('No agent enrolled yet').waitFor();
    await page.getByLabel('Tags for its agents').fill('accounting, floor-2');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByTestId('secret-value').textContent()) ?? '';
    assert.ok(token.length >= 8);
    await page.getByRole('button', { name: 'Done' }).click();
    assert.equal(await page.getByTestId('secret-value').count(), 0, 'the secret is gone once dismissed');

    const res = await fetch(`${ui.url}/agent/v1/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, deviceId: 'pc-042', name: 'pc-042' }),
    });
    assert.equal(res.ok, true, await res.text());
    await page.getByRole('button', { name: 'Refresh' }).click();
    const row = page.getByRole('row').filter({ hasText: 'pc-042' });
    await row.getByText('never seen').waitFor();
    assert.match((await row.textContent()) ?? '', /accounting, floor-2/);
    await row.getByRole('button', { name: 'pc-042' }).click();
    await page.getByText('Nothing is waiting for this agent.').waitFor();
    await page.getByText('No inventory reported yet').waitFor();
    await screenshot(page, 'agents-1280');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('admin and runs pages load without errors; the layout holds at 800 px', async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'ada');
    for (const [hash, heading, shot] of [
      ['#/admin', 'Administration', 'admin-1280'],
      ['#/admin?tab=users', 'Administration', 'admin-users-1280'],
      ['#/runs', 'Runs', 'runs-1280'],
    ] as const) {
      await page.goto(`${ui.url}/${hash}`);
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      await page.locator('.muted', { hasText: /^Loading/ }).waitFor({ state: 'detached' });
      await screenshot(page, shot);
    }
    await page.setViewportSize({ width: 800, height: 1000 });
    await page.goto(`${ui.url}/#/?open=${ids['slow-sync']}`);
    await page
      .locator('li.monitor-line[data-task="slow-sync"]')
      .getByRole('button', { name: /server/ })
      .click();
    await page.getByRole('log').getByText('tick').first().waitFor();
    assert.equal(await overflowsHorizontally(page), false, 'monitoring fits 800 px');
    await screenshot(page, 'monitoring-800');
    await page.goto(`${ui.url}/#/tasks/new`);
    await page.getByText('Manually only').waitFor();
    assert.equal(await overflowsHorizontally(page), false, 'the task editor fits 800 px');
    await screenshot(page, 'task-editor-800');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('keyboard: a monitoring line opens with Enter, focus is visible', async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'ada');
    const row = page.locator('li.monitor-line[data-task="flaky-backup"] .monitor-row');
    await row.focus();
    await page.keyboard.press('Enter');
    // Opening goes through the URL (hashchange), so the row re-renders a moment later.
    await page.locator('li.monitor-line[data-task="flaky-backup"] .monitor-row[aria-expanded="true"]').waitFor();
    const outline = await styleOf(page, 'li.monitor-line[data-task="flaky-backup"] .monitor-row', 'outlineStyle');
    assert.equal(outline, 'solid');
    assert.deepEqual(errors, []);
    await page.close();
  });
});
