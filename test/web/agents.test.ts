// Browser test of the agent page's security controls: the tags an agent asked for are shown
// apart from its tags, and an org-admin's "Allow re-enrolment" lets its device enrol again
// (once), which a viewer cannot do.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, launchBrowser, openPage, signIn, startUiServer, type UiServer } from './support.ts';

describe('web UI: agent re-enrolment', () => {
  let ui: UiServer;
  let browser: Browser;
  let enrolment: string;

  before(async () => {
    ui = await startUiServer();
    browser = await launchBrowser();
    enrolment = (await ui.api<{ token: string }>('POST', '/api/v1/enrolment-tokens', { uses: 5, expiresIn: '1h' }))
      .token;
  });
  after(async () => {
    await browser?.close();
    await ui?.close();
  });

  const enrol = async () => {
    const res = await fetch(`${ui.url}/agent/v1/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: enrolment, deviceId: 'pc-reinstalled', name: 'pc-reinstalled', tags: ['vip'] }),
    });
    return { status: res.status, json: (await res.json()) as { agentId: string } };
  };

  test('an org-admin allows a reinstalled machine to enrol again; it keeps its agent', async () => {
    const first = await enrol();
    assert.equal(first.status, 201);
    assert.equal((await enrol()).status, 409, 'refused before an admin allows it');
    const { page, errors } = await openPage(browser);
    await signIn(page, ui.url, 'ada');
    await page.goto(`${ui.url}/#/agents?agent=${first.json.agentId}`);
    const details = page.getByRole('region', { name: 'Agent details' });
    await details.getByText('Enrolling again with its device id is refused.').waitFor();
    assert.equal(await details.locator('dt:has-text("Tags it asked for") + dd').textContent(), 'vip');
    await details.getByRole('button', { name: 'Allow re-enrolment' }).click();
    await details.getByText(/May enrol again \(once\) until/).waitFor();
    const again = await enrol();
    assert.deepEqual([again.status, again.json.agentId], [200, first.json.agentId]);
    await page.reload();
    await details.getByText('Enrolling again with its device id is refused.').waitFor();

    await signIn(page, ui.url, 'vic');
    await page.goto(`${ui.url}/#/agents?agent=${first.json.agentId}`);
    await details.getByText('Enrolling again with its device id is refused.').waitFor();
    assert.equal(await details.getByRole('button', { name: 'Allow re-enrolment' }).count(), 0, 'not for a viewer');
    assert.deepEqual(errors, []);
    await page.close();
  });
});
