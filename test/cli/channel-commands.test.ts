// `taskwarden channel …` (the real binary) against a real server that may reach 127.0.0.1 only.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RunningServer } from '../../src/server/start.ts';
import { type CliResult, runCli } from '../support/cli.ts';
import { type RealServer, startRealServer } from '../support/server.ts';
import { signedWith, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let real: RealServer;
let server: RunningServer;
let receiver: WebhookReceiver;
let token: string;

/** The real binary against the test's server, as `as` (default: the org-admin's token). */
function cli(args: string[], as = token): Promise<CliResult> {
  return runCli([...args, '--server', server.url, '--token', as]);
}

before(async () => {
  receiver = await startWebhookReceiver();
  real = await startRealServer('tw-cli-channels-', { TASKWARDEN_WEBHOOK_ALLOW: '127.0.0.1' });
  ({ server } = real);
  const admin = real.adminToken;
  assert.equal((await cli(['org', 'create', 'acme'], admin)).code, 0);
  const user = await cli(['user', 'create', 'ops', '--org', 'acme', '--role', 'org-admin', '--json'], admin);
  const made = await cli(['token', 'create', '--user', JSON.parse(user.stdout).id, '--name', 'cli'], admin);
  token = made.stdout.trim();
});

after(async () => {
  await real.close();
  await receiver.close();
});

test('channel create, list, test, deliveries and delete', async () => {
  const created = await cli(['channel', 'create', 'ops', '--webhook', receiver.url]);
  assert.equal(created.code, 0, created.stderr);
  const secret = /^webhook secret \(shown once\): (\S+)$/m.exec(created.stdout)?.[1];
  assert.ok(secret, created.stdout);

  const refused = await cli(['channel', 'create', 'elsewhere', '--webhook', 'http://10.0.0.1/hook']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /url: webhooks may not reach 10\.0\.0\.1/);
  const neither = await cli(['channel', 'create', 'nothing']);
  assert.equal(neither.code, 2);

  const listed = await cli(['channel', 'list', '--json']);
  assert.deepEqual(
    JSON.parse(listed.stdout).items.map((c: { name: string; url: string; secret: string }) => [
      c.name,
      c.url,
      c.secret,
    ]),
    [['ops', receiver.url, '***']],
  );

  const tested = await cli(['channel', 'test', 'ops']);
  assert.deepEqual(tested, { code: 0, stdout: 'sent a test message to ops\n', stderr: '' });
  const [call] = await receiver.waitFor(1);
  assert.ok(call && signedWith(call, secret), 'signed with the secret the CLI showed');
  assert.equal(call?.json.event, 'test');

  assert.equal((await cli(['channel', 'create', 'dead', '--webhook', 'http://127.0.0.1:9/hook'])).code, 0);
  const failed = await cli(['channel', 'test', 'dead']);
  assert.equal(failed.code, 1);
  assert.match(failed.stdout, /the test message to dead failed: connection refused by 127\.0\.0\.1:9/);
  const log = await cli(['channel', 'deliveries', '--failed']);
  assert.equal(log.code, 0);
  assert.match(log.stdout, /failed +1 +test .*connection refused/);
  const ops = JSON.parse((await cli(['channel', 'deliveries', 'ops', '--json'])).stdout);
  assert.deepEqual(
    ops.items.map((d: { status: string; event: string }) => [d.status, d.event]),
    [['delivered', 'test']],
  );

  assert.deepEqual(await cli(['channel', 'delete', 'dead']), { code: 0, stdout: 'deleted channel dead\n', stderr: '' });
  const gone = await cli(['channel', 'test', 'dead']);
  assert.equal(gone.code, 3);
  assert.match(gone.stderr, /no channel named "dead"/);
});
