// Browser test of the ledger's two views: a task's "Targets" tab (where it stands on each
// target) and an agent's "Last outcomes", both from the last outcome of each job.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, launchBrowser, openPage, screenshot, signIn, startUiServer, type UiServer } from './support.ts';

describe('web UI: last outcomes', () => {
  let ui: UiServer;
  let browser: Browser;
  let taskId: string;
  let agentId: string;

  before(async () => {
    ui = await startUiServer();
    browser = await launchBrowser();
    const { token } = await ui.api<{ token: string }>('POST', '/api/v1/enrolment-tokens', { uses: 1, expiresIn: '1h' });
    const enrolled = await fetch(`${ui.url}/agent/v1/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, deviceId: 'pc-ledger', name: 'pc-ledger' }),
    });
    const agent = (await enrolled.json()) as { agentId: string; secret: string };
    agentId = agent.agentId;
    const task = await ui.api<{ id: string }>('POST', '/api/v1/tasks', {
      name: 'nightly-check',
      schedule: { kind: 'manual' },
      jobs: [
        { name: 'on-server', module: 'noop', params: {}, targets: { server: true } },
        { name: 'on-pc', module: 'inventory', params: {}, targets: { agents: [agentId] }, startIf: 'always' },
      ],
    });
    taskId = task.id;
    const run = await ui.api<{ id: string }>('POST', `/api/v1/tasks/${taskId}/runs`);
    // The agent, through its protocol: it takes its job and reports it failed.
    const asAgent = (path: string, body: unknown) =>
      fetch(`${ui.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${agentId}.${agent.secret}` },
        body: JSON.stringify(body),
      });
    const deadline = Date.now() + 20_000;
    let job: { jobstate: string; attempt: number } | undefined;
    while (!job) {
      const reply = await asAgent('/agent/v1/contact', {
        version: '1.0.0',
        modules: ['inventory'],
        running: [],
        capacity: 1,
      });
      [job] = ((await reply.json()) as { jobs: { jobstate: string; attempt: number }[] }).jobs;
      assert.ok(job || Date.now() < deadline, 'the agent got its job within 20 s');
    }
    const ts = Date.now();
    const events = [
      { seq: 1, ts, type: 'started' },
      { seq: 2, ts, type: 'error', result: { error: 'no disk' } },
    ];
    assert.equal(
      (await asAgent(`/agent/v1/jobstates/${job.jobstate}/events`, { attempt: job.attempt, events })).status,
      200,
    );
    for (;;) {
      const { status } = await ui.api<{ status: string }>('GET', `/api/v1/runs/${run.id}`);
      if (status === 'error') break;
      assert.ok(Date.now() < deadline, 'the run ended within 20 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  after(async () => {
    await browser?.close();
    await ui?.close();
  });

  test("the task's Targets tab and the agent's page show each job's last outcome", async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'vic');
    await page.goto(`${ui.url}/#/tasks/${taskId}`);
    await page.getByRole('link', { name: 'Targets' }).click();
    const stands = page.getByRole('region', { name: 'Where it stands on each target' });
    await stands.locator('.ledger-row').nth(1).waitFor();
    const rows = await stands
      .locator('.ledger-row')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent?.trim())),
      );
    assert.deepEqual(
      rows.map((cells) => cells.slice(0, 2)),
      [
        ['pc-ledger', 'on-pc'],
        ['server', 'on-server'],
      ],
    );
    assert.match(rows[0]?.[2] ?? '', /error$/);
    assert.match(rows[1]?.[2] ?? '', /finished$/);
    await screenshot(page, 'task-targets');

    await page.goto(`${ui.url}/#/agents?agent=${agentId}`);
    const details = page.getByRole('region', { name: 'Agent details' });
    await details.locator('.ledger-row').first().waitFor();
    assert.deepEqual(await details.locator('.ledger-row td:nth-child(-n+2)').allTextContents(), [
      'nightly-check',
      'on-pc',
    ]);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
