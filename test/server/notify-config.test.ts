// The notification settings of the server's environment (README "Notifications").
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ValidationError } from '../../src/core/errors.ts';
import { resolveServerConfig } from '../../src/server/config.ts';

const fieldOf = (env: Record<string, string>): string => {
  try {
    resolveServerConfig({}, env, '/srv');
  } catch (err) {
    if (err instanceof ValidationError) return err.field;
    throw err;
  }
  throw new Error('accepted');
};

test('unset, every notification default applies', () => {
  assert.equal(resolveServerConfig({}, { TASKWARDEN_SMTP_HOST: '' }, '/srv').notifications, undefined);
});

test('allow list, mail server (password from a file), public URL, digest window and first retry', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tw-notify-'));
  try {
    const passwordFile = join(dir, 'smtp.password');
    await writeFile(passwordFile, 'hunter2\n', { mode: 0o600 });
    const config = resolveServerConfig(
      {},
      {
        TASKWARDEN_WEBHOOK_ALLOW: 'hooks.example.org, 10.0.0.0/8',
        TASKWARDEN_SMTP_HOST: 'mail.example.org',
        TASKWARDEN_SMTP_SECURE: 'true',
        TASKWARDEN_SMTP_USER: 'taskwarden',
        TASKWARDEN_SMTP_PASSWORD_FILE: passwordFile,
        TASKWARDEN_SMTP_FROM: 'Taskwarden <tw@example.org>',
        TASKWARDEN_PUBLIC_URL: 'https://tw.example.org/',
        TASKWARDEN_NOTIFY_DIGEST: '5m',
        TASKWARDEN_NOTIFY_RETRY: '30s',
      },
      '/srv',
    );
    assert.deepEqual(config.notifications, {
      webhooks: {
        allow: [
          { kind: 'host', name: 'hooks.example.org', subdomains: false },
          { kind: 'net', address: '10.0.0.0', prefix: 8, family: 'ipv4' },
        ],
      },
      smtp: {
        host: 'mail.example.org',
        port: 465,
        secure: true,
        user: 'taskwarden',
        password: 'hunter2',
        from: 'Taskwarden <tw@example.org>',
      },
      publicUrl: 'https://tw.example.org',
      delivery: { digestWindowMs: 300_000, retryFirstMs: 30_000 },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bad values name their variable', () => {
  assert.equal(fieldOf({ TASKWARDEN_WEBHOOK_ALLOW: 'not a host!' }), 'TASKWARDEN_WEBHOOK_ALLOW');
  assert.equal(fieldOf({ TASKWARDEN_SMTP_HOST: 'm', TASKWARDEN_SMTP_PORT: '99999' }), 'TASKWARDEN_SMTP_PORT');
  assert.equal(fieldOf({ TASKWARDEN_SMTP_HOST: 'm', TASKWARDEN_SMTP_SECURE: 'maybe' }), 'TASKWARDEN_SMTP_SECURE');
  assert.equal(
    fieldOf({ TASKWARDEN_SMTP_HOST: 'm', TASKWARDEN_SMTP_PASSWORD_FILE: '/nonexistent/pw' }),
    'TASKWARDEN_SMTP_PASSWORD_FILE',
  );
  assert.equal(fieldOf({ TASKWARDEN_PUBLIC_URL: 'tw.example.org' }), 'TASKWARDEN_PUBLIC_URL');
  assert.equal(fieldOf({ TASKWARDEN_NOTIFY_DIGEST: 'soon' }), 'TASKWARDEN_NOTIFY_DIGEST');
});

test('the same settings from the config file (webhooks.allow as a YAML list), a variable beating the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tw-notify-file-'));
  try {
    const file = join(dir, 'config.yaml');
    await writeFile(
      file,
      'webhooks:\n  allow: [127.0.0.1, hooks.example.org]\nsmtp:\n  host: mail.example.org\n  port: 2525\nnotify:\n  digest: 2m\n',
    );
    const config = resolveServerConfig({ config: file }, { TASKWARDEN_SMTP_PORT: '25' }, '/srv');
    assert.deepEqual(
      config.notifications?.webhooks.allow?.map((entry) => ('name' in entry ? entry.name : entry.address)),
      ['127.0.0.1', 'hooks.example.org'],
    );
    assert.equal(config.notifications?.smtp?.host, 'mail.example.org');
    assert.equal(config.notifications?.smtp?.port, 25, 'TASKWARDEN_SMTP_PORT beats the file');
    assert.equal(config.notifications?.delivery.digestWindowMs, 120_000);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
