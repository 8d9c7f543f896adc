// A real server (SQLite in a temp dir, port 0) with the built UI, and Debian's chromium
// driven by playwright-core, for the browser tests of the web UI.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import type { ServerConfig } from '../../src/server/config.ts';
import { type RunningServer, startServer } from '../../src/server/start.ts';
import { WEB_DIST } from '../../src/server/static.ts';

const root = resolve(import.meta.dirname, '../..');
export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(root, 'test-artifacts');
export const PASSWORD = 'correct horse battery';

/**
 * Builds the UI if this checkout has none (`npm test` already rebuilt a stale one, once,
 * before starting the test files side by side).
 */
export function ensureUiBuilt(): void {
  if (existsSync(join(WEB_DIST, 'index.html'))) return;
  const res = spawnSync(process.execPath, [join(root, 'scripts', 'build-web.mjs')], { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) throw new Error('building the web UI failed');
}

export interface UiServer {
  server: RunningServer;
  url: string;
  /** Calls the API as the org-admin (`ada`), asserting a 2xx. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** The same as the global admin (server commands are his). */
  adminApi<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

/**
 * A server with an org `acme`, an org-admin `ada` and a viewer `vic`, both with PASSWORD;
 * `config` adds server settings (e.g. notifications).
 */
export async function startUiServer(config: Partial<ServerConfig> = {}): Promise<UiServer> {
  ensureUiBuilt();
  const dataDir = await mkdtemp(join(tmpdir(), 'taskwarden-ui-'));
  const server = await startServer({
    dataDir,
    dbUrl: `sqlite:${join(dataDir, 'taskwarden.db')}`,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    bodyLimit: 1024 * 1024,
    testModules: true,
    ...config,
  });
  const adminToken = (await readFile(join(dataDir, 'admin.token'), 'utf8')).trim();
  const call = async <T>(token: string, method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const org = await call<{ id: string }>(adminToken, 'POST', '/api/v1/orgs', { name: 'acme' });
  const ada = await call<{ id: string }>(adminToken, 'POST', `/api/v1/orgs/${org.id}/users`, {
    name: 'ada',
    role: 'org-admin',
    password: PASSWORD,
  });
  await call(adminToken, 'POST', `/api/v1/orgs/${org.id}/users`, { name: 'vic', role: 'viewer', password: PASSWORD });
  const { token } = await call<{ token: string }>(adminToken, 'POST', `/api/v1/users/${ada.id}/tokens`, {
    name: 'ui-tests',
  });
  return {
    server,
    url: server.url,
    api: (method, path, body) => call(token, method, path, body),
    adminApi: (method, path, body) => call(adminToken, method, path, body),
    async close() {
      await server.close(1_000);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Chromium with a fresh profile in a temp dir, headless, nothing phoning home; `timezoneId`
 * sets the browser's zone (e.g. one other than a task's).
 */
export async function launchBrowser(
  options: { viewport?: { width: number; height: number }; timezoneId?: string } = {},
): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'taskwarden-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: options.viewport ?? { width: 1280, height: 900 },
    ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in as `name` (ending any session this browser has). */
export async function signIn(page: Page, url: string, name: string): Promise<void> {
  await page.context().clearCookies();
  await page.goto(url);
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Monitoring' }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** A new tab that records uncaught page errors, so a test can assert the UI never crashed. */
export async function openPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  return { page, errors };
}

/** The page scrolls horizontally (something is wider than the window). */
export function overflowsHorizontally(page: Page): Promise<boolean> {
  // A string runs in the page: this file is typed for node, not the DOM.
  return page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth');
}

/** A computed style property of the first element `selector` matches. */
export function styleOf(page: Page, selector: string, property: string): Promise<string> {
  return page.evaluate<string>(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).${property}`);
}
