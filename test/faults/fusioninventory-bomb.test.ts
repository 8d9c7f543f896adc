// Fault: a FusionInventory message that inflates to tens of MB. Four 170 KB compressed
// messages of 59 MB of XML each held the node up ~40 s while they were parsed, on the
// event loop. Now the inflated text is bounded (MESSAGE_TEXT_LIMIT): beyond it the reply is
// 413 at once, decided while inflating; a message just under the bound is still read.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { DEFAULT_FUSIONINVENTORY_PATH } from '../../src/server/fusioninventory/path.ts';
import { MESSAGE_TEXT_LIMIT } from '../../src/server/routes/fusioninventory/index.ts';
import { type ServerHarness, startServerHarness } from '../support/server.ts';

const SOFTWARE =
  '<SOFTWARES><NAME>libsomething-extra</NAME><VERSION>1.2.3-4</VERSION><PUBLISHER>Someone</PUBLISHER></SOFTWARES>\n';

/** A PROLOG padded with software entries up to about `bytes` of XML. */
function padded(deviceId: string, bytes: number): string {
  const head = `<?xml version="1.0" encoding="UTF-8" ?>\n<REQUEST><DEVICEID>${deviceId}</DEVICEID><QUERY>PROLOG</QUERY><CONTENT>`;
  const tail = '</CONTENT></REQUEST>';
  return head + SOFTWARE.repeat(Math.floor((bytes - head.length - tail.length) / SOFTWARE.length)) + tail;
}

describe('an inflation bomb on the FusionInventory endpoint', () => {
  let h: ServerHarness;
  let authorization: string;

  before(async () => {
    h = await startServerHarness();
    const org = await h.createOrg('fi-bomb');
    const admin = (await h.createUser(org.id, 'fi-admin', 'org-admin')).token;
    const made = await h.expect(201, 'POST', '/api/v1/enrolment-tokens', {
      token: admin,
      body: { uses: 5, expiresIn: '1h' },
    });
    authorization = `Basic ${Buffer.from(`${made.json.id}:${made.json.token}`).toString('base64')}`;
  });
  after(() => h.cleanup());

  const send = (body: Buffer) =>
    h.app.inject({
      method: 'POST',
      url: DEFAULT_FUSIONINVENTORY_PATH,
      headers: { 'content-type': 'application/x-compress-zlib', authorization },
      payload: body,
    });

  test('170 KB of zlib inflating to 59 MB of XML: 413 at once, nothing parsed', async (t) => {
    const bomb = deflateSync(padded('bomb-2026-01-01-00-00-00', 59_000_000), { level: 9 });
    assert.ok(bomb.length < 400_000, `the compressed message is small (${bomb.length} bytes)`);
    const started = performance.now();
    const reply = await send(bomb);
    const took = performance.now() - started;
    t.diagnostic(`${bomb.length} compressed bytes refused in ${Math.round(took)} ms`);
    assert.equal(reply.statusCode, 413, reply.body);
    assert.equal(reply.json().error.code, 'payload_too_large');
    assert.ok(took < 2_000, `refused while inflating, not after parsing (${Math.round(took)} ms)`);
  });

  test('a message just under the limit is read (and what it costs is measured)', async (t) => {
    const text = padded('big-2026-01-01-00-00-00', MESSAGE_TEXT_LIMIT - 1024);
    const body = deflateSync(text);
    const cpu = process.cpuUsage();
    const started = performance.now();
    const reply = await send(body);
    const used = process.cpuUsage(cpu);
    t.diagnostic(
      `${text.length} bytes of XML read in ${Math.round(performance.now() - started)} ms ` +
        `(${Math.round((used.user + used.system) / 1000)} ms of CPU)`,
    );
    assert.equal(reply.statusCode, 200, reply.body);
  });
});
