// Browser tests of monitoring that never misleads: a skipped firing is a note under the line
// of the run still in progress, a job waiting on a dead agent says so on the line and the
// run page, a cancelled run reads cancelled (not 100 %), "next in N s" counts down without
// a reload, module icons are SVG (no emoji font needed), details wrap instead of losing
// their failure counts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, launchBrowser, openPage, screenshot, signIn, startUiServer, type UiServer } from './support.ts';

const agentJob = (agentId: string) => ({
  name: 'say',
  module: 'command',
  params: { command: 'agent-echo', args: { msg: 'hi' } },
  targets: { agents: [agentId] },
});

/** Enrols an agent over the agent protocol and has it call once; returns its id. */
async function enrolAgent(ui: UiServer): Promise<string> {
  const { token } = await ui.api<{ token: string }>('POST', '/api/v1/enrolment-tokens', { uses: 1, expiresIn: '1h' });
  const post = async (path: string, body: unknown, bearer?: string) => {
    const res = await fetch(`${ui.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify(body),
    });
    assert.ok(res.ok, `${path} → ${res.status}`);
    return (await res.json()) as { agentId: string; secret: string };
  };
  const enrolled = await post('/agent/v1/enrol', { token, deviceId: 'pc-accounting-1', name: 'pc-accounting-1' });
  const credential = `${enrolled.agentId}.${enrolled.secret}`;
  await post('/agent/v1/contact', { version: '1.0.0', modules: ['command'], running: [], capacity: 0 }, credential);
  return enrolled.agentId;
}

describe('web UI: monitoring that never misleads', () => {
  let ui: UiServer;
  let browser: Browser;
  const runs: Record<string, { id: string; fireAt: string }> = {};

  before(async () => {
    ui = await startUiServer();
    browser = await launchBrowser();
    await ui.api('POST', '/api/v1/commands', {
      name: 'agent-echo',
      argv: ['echo', '{msg}'],
      params: { msg: { type: 'string', pattern: '^[a-z]+$' } },
      runsOn: 'agent',
    });
    const agentId = await enrolAgent(ui);
    const task = async (name: string, extra: Record<string, unknown>) =>
      (await ui.api<{ id: string }>('POST', '/api/v1/tasks', { name, schedule: { kind: 'manual' }, ...extra })).id;
    const run = async (taskId: string) =>
      ui.api<{ id: string; fireAt: string }>('POST', `/api/v1/tasks/${taskId}/runs`);
    // concurrency forbid (the default): the second firing is skipped while the first waits for its agent
    const nightly = await task('nightly-deploy', { jobs: [agentJob(agentId)] });
    runs.inProgress = await run(nightly);
    runs.skipped = await run(nightly);
    const cancelled = await task('cancel-me', { jobs: [agentJob(agentId)] });
    runs.cancelled = await run(cancelled);
    await ui.api('POST', `/api/v1/runs/${runs.cancelled.id}/cancel`);
    // The agent stopped: its last call was 10 minutes ago.
    await ui.server.store.agents.update(agentId, { lastContactAt: Date.now() - 10 * 60_000 });
    // Two modules: details long enough to be cut at 800 px, their failure counts last.
    const twoModules = await task('two-modules', {
      jobs: [{ name: 'first', module: 'noop', params: {}, targets: { server: true } }, { ...agentJob(agentId) }],
    });
    await run(twoModules);
  });
  after(async () => {
    await browser?.close();
    await ui?.close();
  });

  test('the line shows the run in progress, the skipped firing as a note, the dead agent in words', async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'ada');
    const line = page.locator('li.monitor-line[data-task="nightly-deploy"]');
    await line.locator('.monitor-row .status-running').waitFor();
    const notes = await line.locator('.line-notes li').allTextContents();
    const at = new Date(runs.skipped?.fireAt as string);
    const hhmm = `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
    assert.deepEqual(notes, [
      `skipped ${hhmm}: previous run still running`,
      'prepared: its agent is overdue: no contact within its contact period',
    ]);
    // SVG icons, no emoji left in the line
    assert.equal(await line.locator('.module-icon svg[data-module="command"]').count(), 1);
    assert.doesNotMatch((await line.locator('.module-icon').textContent()) ?? '', /\p{Extended_Pictographic}/u);
    await screenshot(page, 'monitoring-truth-line');
    await line.getByRole('button', { name: /nightly-deploy/ }).click();
    await line.locator('.target-reason', { hasText: 'its agent is overdue' }).waitFor();
    await screenshot(page, 'monitoring-truth-open');

    await page.goto(`${ui.url}/#/runs/${runs.inProgress?.id}`);
    await page.locator('.target-reason', { hasText: 'its agent is overdue' }).waitFor();
    await screenshot(page, 'monitoring-truth-run-page');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a cancelled run reads cancelled, on the line and its page, not 100 %', async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'ada');
    const line = page.locator('li.monitor-line[data-task="cancel-me"]');
    await line.locator('.monitor-row .status-cancelled').waitFor();
    assert.equal(await line.locator('.monitor-row .completion-number').textContent(), 'cancelled');
    await page.goto(`${ui.url}/#/runs/${runs.cancelled?.id}`);
    await page.getByText('(cancelled by a user)').waitFor();
    assert.equal(await page.locator('.facts .completion-number').textContent(), 'cancelled');
    await page.locator('.target-reason', { hasText: 'cancelled by a user' }).waitFor();
    await screenshot(page, 'monitoring-truth-cancelled-run');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('"next in N" counts down without a reload; details wrap rather than lose their end', async () => {
    // Due in 50 s: its countdown is in seconds.
    await ui.api('POST', '/api/v1/tasks', {
      name: 'soon',
      schedule: { kind: 'once', at: new Date(Date.now() + 50_000).toISOString() },
      jobs: [{ name: 'n', module: 'noop', params: {}, targets: { server: true } }],
    });
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'ada');
    const soon = page.locator('li.monitor-line[data-task="soon"] .next-fire');
    await soon.getByText(/^next in \d+ s$/).waitFor();
    const first = await soon.textContent();
    // no reload, no event about it: only the page's own tick can change it
    const deadline = Date.now() + 10_000;
    let now = first;
    while (now === first && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      now = await soon.textContent();
    }
    assert.match(now ?? '', /^next in \d+ s$/);
    assert.notEqual(now, first, 'the countdown moved');

    await page.setViewportSize({ width: 800, height: 900 });
    const details = page.locator('li.monitor-line[data-task="two-modules"] .monitor-row .task-details');
    await details.getByText(/command: .*pending/).waitFor();
    const clipped = await details.evaluate(
      (el) => el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight,
    );
    assert.equal(clipped, false, 'every count of the details is on screen');
    await screenshot(page, 'monitoring-truth-800');
    assert.deepEqual(errors, []);
    await page.close();
  });
});
