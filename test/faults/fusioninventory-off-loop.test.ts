// Fault: the largest FusionInventory message the endpoint accepts (8 MiB once inflated),
// sent to a real server process while another client polls /health. Before: inflating
// and parsing ran on the event loop, so a /health sent meanwhile waited for all of it
// (measured on the loaded 2-core box: 14.6 s for the tiny elements, 5.7 s for the padded
// inventory; about 1.5 s on a quiet one). Now the body is inflated by zlib's thread pool
// and the XML read by a worker thread (XmlReader): /health keeps answering, hundreds of
// times during one message, whether it is refused (a flood of tiny elements, past
// MAX_ELEMENTS) or read (an inventory padded to the limit). A message that takes longer
// than the reader's time limit has its worker ended and is refused, and the next is read.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { deflateSync, inflateSync } from 'node:zlib';
import { DEFAULT_FUSIONINVENTORY_PATH } from '../../src/server/fusioninventory/path.ts';
import { XmlReader } from '../../src/server/fusioninventory/xml-reader.ts';
import { MESSAGE_TEXT_LIMIT } from '../../src/server/routes/fusioninventory/index.ts';
import { healthLatency, type ServerProcess, startServerProcess } from './server-process.ts';

/**
 * The slowest /health answer allowed while a message is read. Most answer within 50 ms; on
 * a 2-core box shared with a dozen busy processes, scheduling alone delays an idle Node
 * process's timers by up to ~200 ms now and then, so the bound leaves room for that, not
 * for a parse on the loop (1.5 s and more).
 */
const HEALTH_LIMIT_MS = 1_000;

const HEAD = '<?xml version="1.0" encoding="UTF-8" ?>\n<REQUEST><DEVICEID>d-2026-01-01-00-00-00</DEVICEID>';

/** `<QUERY>` with a CONTENT of `unit` repeated up to just under the inflated limit. */
function message(query: string, unit: string): Buffer {
  const head = `${HEAD}<QUERY>${query}</QUERY><CONTENT>`;
  const tail = '</CONTENT></REQUEST>';
  const room = MESSAGE_TEXT_LIMIT - 1024 - head.length - tail.length;
  return deflateSync(head + unit.repeat(Math.floor(room / unit.length)) + tail);
}

describe('a maximal FusionInventory message while /health is polled', () => {
  let data: string;
  let server: ServerProcess;
  let authorization: string;

  before(async () => {
    data = await mkdtemp(join(tmpdir(), 'tw-fi-loop-'));
    server = await startServerProcess(data);
    assert.equal((await server.api('POST', '/api/v1/orgs', { name: 'lab' })).status, 201);
    const made = await server.api('POST', '/api/v1/enrolment-tokens?org=lab', { uses: 5, expiresIn: '1h' });
    assert.equal(made.status, 201, JSON.stringify(made.json));
    authorization = `Basic ${Buffer.from(`${made.json.id}:${made.json.token}`).toString('base64')}`;
    // A first small message starts the reader: what is measured below is reading, not starting.
    const small = deflateSync(`${HEAD}<QUERY>PROLOG</QUERY></REQUEST>`);
    assert.equal((await post(small)).status, 200);
  });
  after(async () => {
    server?.child.kill('SIGKILL');
    await server?.exited;
    await rm(data, { recursive: true, force: true });
  });

  const post = (body: Buffer) =>
    fetch(`${server.url}${DEFAULT_FUSIONINVENTORY_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-compress-zlib', authorization },
      body,
      signal: AbortSignal.timeout(120_000),
    }).then(async (res) => ({ status: res.status, text: await res.text() }));

  /** Sends `body` and polls /health until the reply came; the reply and every /health latency. */
  async function sendPolling(body: Buffer): Promise<{ status: number; text: string; latencies: number[] }> {
    let replied = false;
    const sent = post(body);
    void sent.finally(() => {
      replied = true;
    });
    const latencies: number[] = [];
    while (!replied) {
      latencies.push(await healthLatency(server.url, 30_000));
      await sleep(20);
    }
    return { ...(await sent), latencies };
  }

  const slowest = (latencies: number[]) => Math.round(Math.max(...latencies));
  const summary = ({ status, latencies }: { status: number; latencies: number[] }) => {
    const sorted = latencies.toSorted((a, b) => a - b);
    const median = Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0);
    return `${status} after ${latencies.length} /health polls: median ${median} ms, slowest ${slowest(latencies)} ms`;
  };

  test('8 MiB of tiny elements: refused, and /health answers throughout', async (t) => {
    const reply = await sendPolling(message('INVENTORY', '<A>1</A>'));
    t.diagnostic(summary(reply));
    assert.equal(reply.status, 413, reply.text);
    assert.ok(reply.latencies.length >= 5, `/health answered while the message was read: ${summary(reply)}`);
    assert.ok(
      slowest(reply.latencies) < HEALTH_LIMIT_MS,
      `every /health answered within ${HEALTH_LIMIT_MS} ms: ${reply.latencies.map(Math.round).join(' ')}`,
    );
  });

  test('an inventory padded to 8 MiB: read, and /health answers throughout', async (t) => {
    const software = '<SOFTWARES><NAME>libsomething-extra</NAME><VERSION>1.2.3-4</VERSION></SOFTWARES>\n';
    const reply = await sendPolling(message('PROLOG', software));
    t.diagnostic(summary(reply));
    assert.equal(reply.status, 200, reply.text);
    assert.ok(reply.latencies.length >= 5, `/health answered while the message was read: ${summary(reply)}`);
    assert.ok(
      slowest(reply.latencies) < HEALTH_LIMIT_MS,
      `every /health answered within ${HEALTH_LIMIT_MS} ms: ${reply.latencies.map(Math.round).join(' ')}`,
    );
  });
});

test('a message not read within the time limit: its worker is ended, 413, and the next message is read', async () => {
  const reader = new XmlReader(100);
  try {
    const big = inflateSync(message('PROLOG', '<SOFTWARES><NAME>a</NAME></SOFTWARES>\n')).toString();
    const small = `${HEAD}<QUERY>PROLOG</QUERY></REQUEST>`;
    // The limit counts from the worker's start: starting it (tsx compiles it here) is not the message's time.
    assert.equal((await reader.read(small)).query, 'PROLOG');
    await assert.rejects(reader.read(big), { code: 'payload_too_large', message: /not read within 0.1 s/ });
    assert.equal((await reader.read(small)).deviceId, 'd-2026-01-01-00-00-00');
  } finally {
    await reader.close();
  }
});
