// Browser test of a staged rollout: the monitoring line says which wave is open and how
// far it got, the run page groups the targets by wave, and its button opens the next wave.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, launchBrowser, openPage, screenshot, signIn, startUiServer, type UiServer } from './support.ts';

describe('web UI: rollouts', () => {
  let ui: UiServer;
  let browser: Browser;
  let runId: string;
  let taskId: string;

  before(async () => {
    ui = await startUiServer();
    browser = await launchBrowser();
    await ui.api('POST', '/api/v1/commands', { name: 'hello', argv: ['echo', 'hello'], runsOn: 'agent' });
    for (const name of ['pc-1', 'pc-2', 'pc-3']) {
      const { token } = await ui.api<{ token: string }>('POST', '/api/v1/enrolment-tokens', {
        uses: 1,
        expiresIn: '1h',
        tags: ['fleet'],
      });
      const res = await fetch(`${ui.url}/agent/v1/enrol`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, deviceId: `device-${name}`, name }),
      });
      assert.equal(res.status, 201, await res.text());
    }
    const task = await ui.api<{ id: string }>('POST', '/api/v1/tasks', {
      name: 'office-rollout',
      schedule: { kind: 'manual' },
      rollout: { waves: ['1'], pause: '1h', maxFailures: '20%' },
      jobs: [{ name: 'hello', module: 'command', params: { command: 'hello' }, targets: { tags: ['fleet'] } }],
    });
    taskId = task.id;
    // No agent contacts: wave 1's one target stays prepared, waves 2's wait for it.
    runId = (await ui.api<{ id: string }>('POST', `/api/v1/tasks/${task.id}/runs`)).id;
  });
  after(async () => {
    await browser?.close();
    await ui?.close();
  });

  test('the monitoring line shows the wave; the run page groups targets by wave and opens the next one', async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'ada');
    const line = page.locator('li.monitor-line[data-task="office-rollout"]');
    await line.locator('.rollout-wave').filter({ hasText: 'wave 1/2 — 0/1 ended' }).waitFor();
    await screenshot(page, 'monitoring-rollout-1280');

    await page.goto(`${ui.url}/#/runs/${runId}`);
    const wave1 = page.getByRole('region', { name: 'Wave 1' });
    const wave2 = page.getByRole('region', { name: 'Wave 2' });
    await wave1.waitFor();
    assert.equal(await wave1.locator('.target-row').count(), 1);
    assert.equal(await wave2.locator('.target-row').count(), 2);
    assert.deepEqual(await wave2.locator('.target-reason').allTextContents(), [
      'waiting for rollout wave 2',
      'waiting for rollout wave 2',
    ]);
    await page.getByRole('button', { name: 'Open wave 2 now' }).click();
    await page.locator('dd.rollout-wave').filter({ hasText: 'wave 2/2' }).waitFor();
    await page.getByRole('button', { name: 'Open wave 2 now' }).waitFor({ state: 'detached' });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("the task editor writes the rollout, the agents' local time and late joiners", async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'ada');
    await page.goto(`${ui.url}/#/tasks/${taskId}`);
    const waves = page.getByLabel('Waves', { exact: true });
    await waves.waitFor();
    assert.equal(await waves.inputValue(), '1');
    assert.equal(await page.getByLabel('Halt after failures (optional)').inputValue(), '20%');
    await waves.fill('1, 2');
    await page.getByLabel('Pause between waves').fill('30m');
    await page.getByLabel('Kind').selectOption('weekly');
    await page.getByLabel("At each agent's local time").check();
    await page.getByLabel('Fallback time zone').fill('Europe/Paris');
    await page.getByLabel('Late joiners (optional)').fill('2d');
    await screenshot(page, 'task-editor-rollout-1280');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(/Saved version 2/).waitFor();
    const saved = await ui.api<{ rollout: unknown; schedule: Record<string, unknown>; jobs: { targets: unknown }[] }>(
      'GET',
      `/api/v1/tasks/${taskId}`,
    );
    assert.deepEqual(saved.rollout, { waves: ['1', '2'], pause: '30m', maxFailures: '20%', order: 'name' });
    assert.equal(saved.schedule.tz, 'agent');
    assert.equal(saved.schedule.fallbackTz, 'Europe/Paris');
    assert.deepEqual(saved.jobs[0]?.targets, { tags: ['fleet'], lateJoin: '2d' });

    // Unchecking the rollout saves a task that reaches every target at once.
    await page.getByLabel('Staged rollout (targets in waves)').uncheck();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(/Saved version 3/).waitFor();
    assert.equal((await ui.api<Record<string, unknown>>('GET', `/api/v1/tasks/${taskId}`)).rollout, undefined);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
