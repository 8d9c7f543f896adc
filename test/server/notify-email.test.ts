// Email channels: an SMTP server on 127.0.0.1 (smtp-server) receives the message of a run
// end, in plain text and HTML, with the monitoring line, the failed targets and the link.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { type ServerHarness, startServerHarness } from '../support/server.ts';
import { eventually } from '../support/webhook-receiver.ts';

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

describe('email notifications', () => {
  let smtp: SMTPServer;
  const mails: Mail[] = [];
  let h: ServerHarness;
  let admin: string;

  before(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const { port } = smtp.server.address() as AddressInfo;
    h = await startServerHarness({
      smtp: { host: '127.0.0.1', port, secure: false, user: null, password: null, from: 'taskwarden@example.org' },
      notify: { digestWindowMs: 0 },
    });
    const org = await h.createOrg('acme');
    admin = (await h.createUser(org.id, 'ada', 'org-admin')).token;
  });
  after(async () => {
    await h.cleanup();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  test('a failed run is mailed to the recipients, as text and HTML, with its failed targets and a link', async () => {
    const as = (method: string, url: string, body?: unknown, status = 200) =>
      h.expect(status, method, url, { token: admin, ...(body === undefined ? {} : { body }) });
    const channel = await as(
      'POST',
      '/api/v1/channels',
      { name: 'ops-mail', kind: 'email', to: ['ops@example.org', 'oncall@example.org'] },
      201,
    );
    assert.deepEqual(channel.json.to, ['ops@example.org', 'oncall@example.org']);
    const task = await as(
      'POST',
      '/api/v1/tasks',
      {
        name: 'nightly deploy',
        jobs: [{ name: 'install', module: 'noop', params: { failTimes: 1 }, targets: { server: true } }],
        notify: [{ on: ['error'], channels: ['ops-mail'] }],
      },
      201,
    );
    const run = (await as('POST', `/api/v1/tasks/${task.json.id}/runs?wait=10`)).json;
    const [mail] = await eventually('the mail', async () => (mails.length > 0 ? mails : null));
    assert.ok(mail);
    assert.equal(mail.from, 'taskwarden@example.org');
    assert.deepEqual(mail.to.sort(), ['oncall@example.org', 'ops@example.org']);
    const raw = readable(mail.raw);
    assert.match(raw, /^Subject: \[Taskwarden\] nightly deploy: run ended in error \(1 of 1 targets failed\)/m);
    assert.match(raw, /Content-Type: text\/plain/);
    assert.match(raw, /Content-Type: text\/html/);
    assert.match(raw, /Failed targets \(1\):/);
    assert.match(raw, /server {2}install {2}module_failed/);
    assert.match(raw, /completion 100 % — error/);
    assert.ok(raw.includes(`http://taskwarden.test/#/runs/${run.id}`), 'links to the run');
    assert.match(raw, /<td>server<\/td><td>install<\/td><td>module_failed<\/td>/, 'the HTML lists the failed targets');
    // The mail is sent, then its delivery recorded: the record may come a moment after the mail.
    await eventually('the delivery recorded as delivered', async () => {
      const [delivery] = (await as('GET', `/api/v1/channels/${channel.json.id}/deliveries`)).json.items;
      return delivery?.status === 'delivered';
    });
  });

  test('`channel test` sends a test mail and answers how it went', async () => {
    const channel = await h.expect(201, 'POST', '/api/v1/channels', {
      token: admin,
      body: { name: 'test-mail', kind: 'email', to: ['test@example.org'] },
    });
    const before = mails.length;
    const tested = await h.expect(200, 'POST', `/api/v1/channels/${channel.json.id}/test`, { token: admin });
    assert.equal(tested.json.status, 'delivered');
    assert.equal(tested.json.event, 'test');
    assert.equal(mails.length, before + 1);
    assert.deepEqual(mails[before]?.to, ['test@example.org']);
  });
});

describe('email without a mail server', () => {
  test('the delivery fails at once, saying the server has none set up', async () => {
    const h = await startServerHarness({ notify: { digestWindowMs: 0 } });
    try {
      const org = await h.createOrg('acme');
      const admin = (await h.createUser(org.id, 'ada', 'org-admin')).token;
      const channel = await h.expect(201, 'POST', '/api/v1/channels', {
        token: admin,
        body: { name: 'mail', kind: 'email', to: ['ops@example.org'] },
      });
      const tested = await h.expect(200, 'POST', `/api/v1/channels/${channel.json.id}/test`, { token: admin });
      assert.equal(tested.json.status, 'failed');
      assert.match(tested.json.lastError, /no mail server set up \(TASKWARDEN_SMTP_HOST\)/);
    } finally {
      await h.cleanup();
    }
  });
});

/** The raw message with its headers unfolded and its quoted-printable parts decoded. */
function readable(raw: string): string {
  return raw
    .replace(/\r\n[ \t]/g, ' ')
    .replace(/=\r?\n/g, '')
    .replace(/(=[0-9A-F]{2})+/g, (run) => Buffer.from(run.replaceAll('=', ''), 'hex').toString('utf8'));
}
