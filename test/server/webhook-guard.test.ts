// The webhook allow list and the pinned connection, with a fake resolver: no test here
// resolves a name through DNS or connects anywhere but a receiver on 127.0.0.1.
import assert from 'node:assert/strict';
import dns from 'node:dns';
import { after, before, describe, test } from 'node:test';
import { ValidationError } from '../../src/core/errors.ts';
import { DeliveryRefused } from '../../src/core/ports/notifications.ts';
import { type Lookup, parseAllowList, WebhookGuard } from '../../src/server/notify/allow-list.ts';
import { postWebhook } from '../../src/server/notify/webhook.ts';
import { signedWith, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

/** A resolver answering from a table, counting its calls. */
function table(entries: Record<string, string[] | (() => string[])>) {
  const calls: string[] = [];
  const lookup: Lookup = async (host) => {
    calls.push(host);
    const entry = entries[host];
    if (!entry) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    const addresses = typeof entry === 'function' ? entry() : entry;
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { lookup, calls };
}

const destination = (guard: WebhookGuard, url: string) => guard.destination(new URL(url));
const refused = (promise: Promise<unknown>, why: RegExp) =>
  assert.rejects(promise, (err: unknown) => err instanceof DeliveryRefused && why.test(err.message));

describe('webhook allow list', () => {
  test('parses host names, addresses and CIDR ranges; a bad entry names the variable', () => {
    assert.deepEqual(parseAllowList(' 127.0.0.1, 10.0.0.0/8 ,*.Example.org,hooks.test,::1/128', 'X'), [
      { kind: 'net', address: '127.0.0.1', prefix: 32, family: 'ipv4' },
      { kind: 'net', address: '10.0.0.0', prefix: 8, family: 'ipv4' },
      { kind: 'host', name: 'example.org', subdomains: true },
      { kind: 'host', name: 'hooks.test', subdomains: false },
      { kind: 'net', address: '::1', prefix: 128, family: 'ipv6' },
    ]);
    for (const bad of ['10.0.0.0/33', 'exa mple.org', '', 'http://x/', '1.2.3.4/8/9']) {
      assert.throws(
        () => parseAllowList(bad, 'TASKWARDEN_WEBHOOK_ALLOW'),
        (err: unknown) => err instanceof ValidationError && err.field === 'TASKWARDEN_WEBHOOK_ALLOW',
        bad,
      );
    }
  });

  test('by default any host goes, but not loopback, link-local, metadata or this-host addresses', async () => {
    const { lookup } = table({
      'hooks.test': ['203.0.113.5'],
      'evil.test': ['127.0.0.1'],
      'both.test': ['::1', '203.0.113.9'],
    });
    const guard = new WebhookGuard(null, lookup);
    assert.deepEqual(await destination(guard, 'https://hooks.test/x'), { address: '203.0.113.5', family: 4 });
    assert.deepEqual(await destination(guard, 'http://192.168.1.20:8080/'), { address: '192.168.1.20', family: 4 });
    // A name with a refused address and an allowed one: the allowed one is used (and pinned).
    assert.deepEqual(await destination(guard, 'https://both.test/'), { address: '203.0.113.9', family: 4 });
    await refused(destination(guard, 'http://evil.test/'), /"evil.test", which resolves to 127.0.0.1 \(loopback\)/);
    for (const url of [
      'http://127.0.0.1/',
      'http://[::1]/',
      'http://[::ffff:7f00:1]/',
      'http://169.254.169.254/',
      'http://[fd00:ec2::254]/',
      'http://0.0.0.0/',
    ]) {
      await refused(destination(guard, url), /webhooks may not reach/);
    }
    await refused(destination(guard, 'http://nowhere.test/'), /cannot be resolved/);
  });

  test('a list allows what it names; a refused range only when an entry lies within it', async () => {
    const { lookup } = table({
      'a.example.org': ['203.0.113.7'],
      'b.example.org': ['127.0.0.1'],
      'example.org': ['203.0.113.8'],
    });
    const byName = new WebhookGuard(parseAllowList('*.example.org', 'X'), lookup);
    assert.equal((await destination(byName, 'https://a.example.org/')).address, '203.0.113.7');
    await refused(destination(byName, 'https://b.example.org/'), /loopback/);
    await refused(destination(byName, 'https://example.org/'), /not in the webhook allow list/);
    await refused(destination(byName, 'http://203.0.113.7/'), /not in the webhook allow list/);
    const everything = new WebhookGuard(parseAllowList('0.0.0.0/0,::/0,::ffff:0:0/96', 'X'), lookup);
    assert.equal((await destination(everything, 'http://10.2.3.4/')).address, '10.2.3.4');
    await refused(destination(everything, 'http://127.0.0.1/'), /loopback/);
    await refused(destination(everything, 'http://169.254.169.254/'), /metadata/);
    const loopback = new WebhookGuard(parseAllowList('127.0.0.0/8', 'X'), lookup);
    assert.equal((await destination(loopback, 'http://127.0.0.2/')).address, '127.0.0.2');
    await refused(destination(loopback, 'http://10.2.3.4/'), /not in the webhook allow list/);
  });

  test('check() is a 400 naming the field', async () => {
    const guard = new WebhookGuard(parseAllowList('127.0.0.1', 'X'), table({}).lookup);
    await assert.rejects(guard.check('http://10.0.0.1/', 'url'), (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.equal(err.field, 'url');
      assert.match(err.message, /^url: webhooks may not reach 10\.0\.0\.1 \(not in the webhook allow list\)$/);
      return true;
    });
  });
});

describe('webhook posts', () => {
  let receiver: WebhookReceiver;
  const realLookup = dns.lookup;
  const systemLookups: string[] = [];

  before(async () => {
    receiver = await startWebhookReceiver();
    // Any resolution past the guard's would land here (and fail): the connection must use the pinned address.
    dns.lookup = ((host: string, ...rest: unknown[]) => {
      systemLookups.push(host);
      const callback = rest[rest.length - 1] as (err: Error) => void;
      callback(Object.assign(new Error(`no DNS in this test (${host})`), { code: 'ENOTFOUND' }));
    }) as typeof dns.lookup;
  });
  after(async () => {
    dns.lookup = realLookup;
    await receiver.close();
  });

  const port = () => new URL(receiver.url).port;
  const channel = (url: string) => ({
    id: 'c',
    orgId: 'o',
    name: 'hook',
    kind: 'webhook' as const,
    url,
    to: [],
    secret: 'k',
    createdAt: 0,
    updatedAt: 0,
  });
  const content = { event: 'test' as const, summary: 'hello', channel: { id: 'c', name: 'hook' } };

  test('the request goes to the address the guard resolved, once, whatever the name resolves to afterwards', async () => {
    let answers = 0;
    // DNS rebinding: checked as 127.0.0.1, then "moved" to the metadata address.
    const { lookup, calls } = table({
      'rebind.test': () => (answers++ === 0 ? ['127.0.0.1'] : ['169.254.169.254']),
    });
    const guard = new WebhookGuard(parseAllowList('127.0.0.1', 'X'), lookup);
    const url = `http://rebind.test:${port()}/hook`;
    await postWebhook({ guard, channel: channel(url), deliveryId: 'd-1', content, signal: AbortSignal.timeout(5000) });
    const [call] = await receiver.waitFor(1);
    assert.equal(call?.headers.host, `rebind.test:${port()}`);
    assert.equal(call?.headers['x-taskwarden-delivery'], 'd-1');
    assert.ok(call && signedWith(call, 'k'));
    assert.deepEqual(calls, ['rebind.test'], 'resolved once, by the guard');
    assert.deepEqual(systemLookups, [], 'the connection did not resolve the name again');
    // The next post resolves again, gets the metadata address, and is refused before connecting.
    await refused(
      postWebhook({ guard, channel: channel(url), deliveryId: 'd-2', content, signal: AbortSignal.timeout(5000) }),
      /169\.254\.169\.254/,
    );
    assert.equal(receiver.received.length, 1);
  });

  test('a non-2xx answer is a failure naming the status and what the receiver said, not the URL', async () => {
    receiver.answers.push(503);
    const guard = new WebhookGuard(parseAllowList('127.0.0.1', 'X'), table({}).lookup);
    const url = `http://127.0.0.1:${port()}/hook?token=very-secret`;
    await assert.rejects(
      postWebhook({ guard, channel: channel(url), deliveryId: 'd-3', content, signal: AbortSignal.timeout(5000) }),
      (err: unknown) => err instanceof Error && err.message === 'HTTP 503: receiver says no',
    );
    await assert.rejects(
      postWebhook({
        guard,
        channel: channel('http://127.0.0.1:9/hook?token=very-secret'),
        deliveryId: 'd-4',
        content,
        signal: AbortSignal.timeout(5000),
      }),
      (err: unknown) => err instanceof Error && err.message === 'connection refused by 127.0.0.1:9',
    );
  });
});
