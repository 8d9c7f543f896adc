// Browser test: a `tz: "agent"` task whose firing reached one agent's zone and not yet the
// other's says so on its monitoring line ("1 waiting for local time"), and the waiting
// target says why, and until when, on the run page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, launchBrowser, openPage, screenshot, signIn, startUiServer, type UiServer } from './support.ts';

/** The wall time in `tz` at `ms`, as a `once` schedule without an offset writes it. */
function wallTime(ms: number, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value;
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}`;
}

describe('web UI: targets waiting for their local time', () => {
  let ui: UiServer;
  let browser: Browser;
  let taskId: string;

  before(async () => {
    ui = await startUiServer();
    browser = await launchBrowser();
    const { token } = await ui.api<{ token: string }>('POST', '/api/v1/enrolment-tokens', { uses: 2, expiresIn: '1h' });
    const agents: string[] = [];
    // UTC+14 and UTC-11: the same wall time comes a day apart.
    for (const [name, timezone] of [
      ['pc-kiritimati', 'Pacific/Kiritimati'],
      ['pc-pago-pago', 'Pacific/Pago_Pago'],
    ]) {
      const res = await fetch(`${ui.url}/agent/v1/enrol`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, deviceId: name, name, timezone }),
      });
      assert.equal(res.status, 201);
      agents.push(((await res.json()) as { agentId: string }).agentId);
    }
    const at = wallTime(Date.now() + 3_000, 'Pacific/Kiritimati');
    taskId = (
      await ui.api<{ id: string }>('POST', '/api/v1/tasks', {
        name: 'local-two-am',
        schedule: { kind: 'once', at, tz: 'agent', fallbackTz: 'UTC' },
        jobs: [{ name: 'inventory', module: 'inventory', params: {}, targets: { agents } }],
      })
    ).id;
  });
  after(async () => {
    await browser?.close();
    await ui?.close();
  });

  test('the line counts the targets waiting for their local time; the run page says until when', async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'vic');
    // The firing first (the server's side, told apart from the page's on a loaded machine).
    const started = Date.now();
    let runs = await ui.api<{ items: { id: string }[] }>('GET', `/api/v1/tasks/${taskId}/runs`);
    while (runs.items.length === 0 && Date.now() - started < 30_000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      runs = await ui.api<{ items: { id: string }[] }>('GET', `/api/v1/tasks/${taskId}/runs`);
    }
    assert.equal(runs.items.length, 1, 'one run for the firing, whichever zone it reached first');
    const line = page.locator('li.monitor-line[data-task="local-two-am"]');
    await line.locator('.task-details', { hasText: '1 waiting for local time' }).waitFor({ timeout: 20_000 });
    await screenshot(page, 'local-time-line');
    await page.goto(`${ui.url}/#/runs/${runs.items[0]?.id}`);
    const waiting = page.locator('.target-row', { hasText: 'pc-pago-pago' });
    await waiting.locator('.target-reason', { hasText: /local time.* until \d\d:\d\d/ }).waitFor();
    await screenshot(page, 'local-time-run-page');
    assert.deepEqual(errors, []);
    await page.close();
  });
});
