// Browser test of Agents › Enrolment tokens: a new token is shown once with its id and the
// exact lines to use it (a Taskwarden agent's install command, a FusionInventory agent.cfg),
// and the list shows every token's id.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, launchBrowser, openPage, screenshot, signIn, startUiServer, type UiServer } from './support.ts';

describe('web UI: enrolment tokens', () => {
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

  test('a new token comes with its id, the agent install command and agent.cfg lines', async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'ada');
    await page.goto(`${ui.url}/#/agents`);
    const form = page.getByRole('form', { name: 'New enrolment token' });
    await form.getByLabel('Uses').fill('3');
    await form.getByLabel('Tags for its agents').fill('lab, accounting');
    await form.getByRole('button', { name: 'Create token' }).click();
    const setup = page.getByRole('region', { name: 'Agent setup' });
    await setup.waitFor();
    const token = (await page.getByTestId('secret-value').textContent())?.trim() ?? '';
    const id = (await setup.getByTestId('enrolment-token-id').textContent())?.trim() ?? '';
    assert.match(token, /^twe_/);
    const command = (await setup.getByTestId('agent-command').textContent()) ?? '';
    assert.ok(command.includes(`printf '%s\\n' '${token}' > /root/taskwarden-enrolment.token`), command);
    assert.ok(
      command.includes(`npx taskwarden agent install --server ${ui.url} --token-file /root/taskwarden-enrolment.token`),
      command,
    );
    assert.equal(
      await setup.getByTestId('fusioninventory-config').textContent(),
      `server = ${ui.url}/plugins/fusioninventory/\nuser = ${id}\npassword = ${token}`,
    );
    const tokens = (await ui.api<{ items: { id: string; tags: string[] }[] }>('GET', '/api/v1/enrolment-tokens')).items;
    assert.deepEqual(
      tokens.map((t) => [t.id, t.tags]),
      [[id, ['lab', 'accounting']]],
    );
    await page.getByRole('cell', { name: id }).waitFor();
    await screenshot(page, 'enrolment-token-setup-1280');
    await page.getByRole('button', { name: 'Done' }).click();
    assert.equal(await setup.count(), 0, 'shown once');
    assert.deepEqual(errors, []);
    await page.close();
  });
});
