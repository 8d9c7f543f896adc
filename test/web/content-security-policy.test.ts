// The web UI and the Swagger UI work under the server's Content-Security-Policy: the
// browser reports no violation (a blocked script or style would show up as one).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { type Browser, launchBrowser, openPage, signIn, startUiServer, type UiServer } from './support.ts';

/** The console messages in which the browser says it blocked something for the CSP. */
function cspViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

describe('web UI: Content-Security-Policy', () => {
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

  test('the UI signs in, goes live and shows its pages without a CSP violation', async () => {
    const { page, errors } = await openPage(browser);
    const violations = cspViolations(page);
    await signIn(page, ui.url, 'ada');
    await page.getByText('● live').waitFor();
    for (const path of ['/tasks', '/agents', '/runs']) {
      await page.goto(`${ui.url}${path}`);
      await page.locator('main').waitFor();
    }
    assert.deepEqual(violations, []);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the API docs (Swagger UI) render their operations without a CSP violation', async () => {
    const { page, errors } = await openPage(browser);
    const violations = cspViolations(page);
    await page.goto(`${ui.url}/api/docs`);
    await page.locator('.opblock').first().waitFor();
    await page.locator('.opblock-summary').first().click();
    await page.locator('.opblock-body').first().waitFor();
    assert.deepEqual(violations, []);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
