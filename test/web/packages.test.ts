// Browser test of Admin › Packages: the form edits checks and steps row by row and sends a
// manifest the server's rules (src/modules/deploy/manifest.ts) accept, its defaults
// included; what the server refuses shows next to the field it names.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { tarBytes } from '../modules/tar-builder.ts';
import { type Browser, launchBrowser, openPage, screenshot, signIn, startUiServer, type UiServer } from './support.ts';

type Packages = { items: { name: string; version: string; manifest: Record<string, unknown> }[] };

async function openForm(page: Page, ui: UiServer, name: string) {
  await page.goto(`${ui.url}/#/admin?tab=packages`);
  const form = page.getByRole('form', { name: 'Upload a package' });
  await form.getByLabel('Archive (.tar or .tar.gz)').setInputFiles({
    name: `${name}.tar`,
    mimeType: 'application/x-tar',
    buffer: tarBytes([{ name: 'README', content: `${name}\n` }]),
  });
  await form.getByLabel('Package name').fill(name);
  return form;
}

describe('web UI: packages', () => {
  let ui: UiServer;
  let browser: Browser;

  before(async () => {
    ui = await startUiServer();
    browser = await launchBrowser();
    await ui.api('POST', '/api/v1/commands', {
      name: 'file-test',
      argv: ['test', '-f', '{path}'],
      params: { path: { type: 'string' } },
    });
  });
  after(async () => {
    await browser?.close();
    await ui?.close();
  });

  test('the default step and two added checks make a manifest the server accepts, read back as entered', async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'ada');
    const form = await openForm(page, ui, 'tools');
    assert.equal(await form.getByLabel('Step 1 to folder').inputValue(), 'app', 'the default step');
    await form.getByRole('button', { name: 'Add a check' }).click();
    await form.getByLabel('Check 1 path').fill('app/README');
    await form.getByRole('button', { name: 'Add a check' }).click();
    await form.getByLabel('Check 2', { exact: true }).selectOption('command');
    await form.getByLabel('Check 2 command').selectOption('file-test');
    await form.getByLabel('Check 2 args (JSON)').fill('{"path": "app/README"}');
    await screenshot(page, 'package-form-1280');
    await form.getByRole('button', { name: 'Upload package' }).click();
    await page.getByRole('cell', { name: 'tools', exact: true }).waitFor();
    const { items } = await ui.api<Packages>('GET', '/api/v1/packages');
    assert.deepEqual(
      items.map((p) => [p.name, p.version, p.manifest]),
      [
        [
          'tools',
          '1.0',
          {
            checks: [
              { type: 'file-exists', path: 'app/README' },
              { type: 'command', command: 'file-test', args: { path: 'app/README' } },
            ],
            steps: [{ type: 'extract', to: 'app' }],
          },
        ],
      ],
    );
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("a step the server refuses shows the server's message next to that step, and nothing is saved", async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'ada');
    const form = await openForm(page, ui, 'outside');
    await form.getByRole('button', { name: 'Add a step' }).click();
    await form.getByLabel('Step 2 to folder').fill('/etc/outside');
    await form.getByRole('button', { name: 'Upload package' }).click();
    const target = form.getByLabel('Step 2 to folder');
    await page.locator('[aria-invalid="true"]').first().waitFor();
    assert.equal(await target.getAttribute('aria-invalid'), 'true');
    const describedBy = (await target.getAttribute('aria-describedby')) ?? '';
    const message = await page.locator(`[id="${describedBy.split(' ').at(-1)}"]`).textContent();
    assert.match(message ?? '', /^"\/etc\/outside" is outside the agent's package root/);
    assert.equal(await form.getByLabel('Step 1 to folder').getAttribute('aria-invalid'), null, 'only that field');
    await screenshot(page, 'package-form-field-error-1280');
    const { items } = await ui.api<Packages>('GET', '/api/v1/packages');
    assert.deepEqual(
      items.map((p) => p.name),
      ['tools'],
    );
    assert.deepEqual(errors, []);
    await page.close();
  });
});
