// Browser test of notifications: an org-admin adds a webhook channel (its secret shown once),
// sends a test that reaches a receiver on 127.0.0.1, sees a failed one among the failed
// deliveries, sets a task's rules in the task editor; a viewer sees names only.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseAllowList } from '../../src/server/notify/allow-list.ts';
import { signedWith, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { type Browser, launchBrowser, openPage, screenshot, signIn, startUiServer, type UiServer } from './support.ts';

describe('web UI: notification channels', () => {
  let ui: UiServer;
  let browser: Browser;
  let receiver: WebhookReceiver;

  before(async () => {
    receiver = await startWebhookReceiver();
    ui = await startUiServer({
      notifications: {
        webhooks: { allow: parseAllowList('127.0.0.1', 'test') },
        smtp: null,
        publicUrl: null,
        delivery: {},
      },
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await ui?.close();
    await receiver?.close();
  });

  test('an org-admin adds a webhook, sends a test, sees what failed, and a task editor sets rules', async () => {
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'ada');
    await page.goto(`${ui.url}/#/admin?tab=channels`);
    await page.getByText('No channel: runs end without telling anyone.').waitFor();
    const form = page.getByRole('form', { name: 'Add a channel' });
    await form.getByLabel('Channel name').fill('ops');
    await form.getByLabel('Webhook URL').fill(receiver.url);
    await form.getByRole('button', { name: 'Add channel' }).click();
    const secret = (await page.getByTestId('secret-value').textContent()) ?? '';
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    await page.getByRole('button', { name: 'Done' }).click();

    await page.getByRole('button', { name: 'Send a test to ops' }).click();
    await page.getByRole('status').filter({ hasText: 'Test message to ops: sent' }).waitFor();
    const [call] = await receiver.waitFor(1);
    assert.ok(call && signedWith(call, secret), 'signed with the secret the page showed');

    await form.getByLabel('Channel name').fill('dead');
    await form.getByLabel('Webhook URL').fill('http://127.0.0.1:9/hook');
    await form.getByLabel('Signing secret').fill('my own secret');
    await form.getByRole('button', { name: 'Add channel' }).click();
    await page.getByRole('button', { name: 'Send a test to dead' }).click();
    await page.getByText('Test message to dead: failed (connection refused by 127.0.0.1:9)').waitFor();
    const failed = page.getByRole('region', { name: 'Failed deliveries' });
    await failed.getByRole('cell', { name: 'dead', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Deliveries of ops' }).click();
    await page.getByRole('region', { name: 'Deliveries of ops' }).getByText('delivered').waitFor();
    await screenshot(page, 'channels-admin');

    const task = await ui.api<{ id: string }>('POST', '/api/v1/tasks', {
      name: 'nightly',
      jobs: [{ name: 'work', module: 'noop', params: {}, targets: { server: true } }],
      notify: [{ on: ['error'], channels: ['ops'] }],
    });
    await page.goto(`${ui.url}/#/tasks/${task.id}`);
    const rule = page.getByRole('group', { name: 'Rule 1' });
    assert.equal(await rule.getByLabel('error (any failure)').isChecked(), true);
    assert.equal(await rule.getByLabel('ops').isChecked(), true);
    await rule.getByLabel('finished').check();
    await rule.getByLabel('Rule 1: when').selectOption('changed');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(/Saved version 2/).waitFor();
    const saved = await ui.api<{ notify: unknown }>('GET', `/api/v1/tasks/${task.id}`);
    assert.deepEqual(saved.notify, [{ on: ['error', 'finished'], channels: ['ops'], when: 'changed' }]);
    await page.getByLabel("Use the organisation's default rules").check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(/Saved version 3/).waitFor();
    assert.equal((await ui.api<{ notify?: unknown }>('GET', `/api/v1/tasks/${task.id}`)).notify, undefined);

    await signIn(page, ui.url, 'vic');
    await page.goto(`${ui.url}/#/admin?tab=channels`);
    await page.getByRole('cell', { name: 'ops', exact: true }).waitFor();
    assert.equal(await page.getByText(receiver.url).count(), 0, 'a viewer does not see where it goes');
    assert.equal(await page.getByRole('button', { name: 'Send a test to ops' }).count(), 0);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
