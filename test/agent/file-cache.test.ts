// Package files on the agent, from a real HTTP server: downloaded once and kept under their
// sha256, an interrupted download resumed with a range request, bytes that do not hash to
// the name refused and not kept, and two jobs asking at once sharing one download.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FileCache } from '../../src/agent/file-cache.ts';
import { AgentClient } from '../../src/client/agent-client.ts';

const content = Buffer.from('package bytes '.repeat(1000));
const sha = createHash('sha256').update(content).digest('hex');
const wrongSha = createHash('sha256').update('something else').digest('hex');

describe('file cache', () => {
  let server: Server;
  let dir: string;
  const seen: { path: string; range: string | undefined; auth: string | undefined }[] = [];
  let cache: FileCache;

  before(async () => {
    server = createServer((req, res) => {
      seen.push({ path: req.url ?? '', range: req.headers.range, auth: req.headers.authorization });
      const name = (req.url ?? '').split('/').at(-1);
      if (name !== sha && name !== wrongSha) return res.writeHead(404).end();
      const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
      if (from > 0) {
        res.writeHead(206, { 'content-range': `bytes ${from}-${content.length - 1}/${content.length}` });
        return res.end(content.subarray(from));
      }
      res.writeHead(200).end(content);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    dir = await mkdtemp(join(tmpdir(), 'taskwarden-agent-cache-'));
    const client = new AgentClient({
      server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credential: { agentId: 'a1', secret: 's' },
    });
    cache = new FileCache(join(dir, 'cache'), client);
  });
  after(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('downloads once with the agent credential; two callers at once share it; later calls use the cache', async () => {
    const [a, b] = await Promise.all([cache.fetch(sha), cache.fetch(sha)]);
    assert.equal(a, join(dir, 'cache', sha));
    assert.equal(b, a);
    assert.deepEqual(await readFile(a), content);
    assert.equal(await cache.fetch(sha), a);
    assert.deepEqual(seen, [{ path: `/agent/v1/files/${sha}`, range: undefined, auth: 'Bearer a1.s' }]);
  });

  test('an interrupted download is resumed from where it stopped', async () => {
    await rm(join(dir, 'cache'), { recursive: true, force: true });
    seen.length = 0;
    await mkdir(join(dir, 'cache'), { recursive: true });
    await writeFile(join(dir, 'cache', `${sha}.part`), content.subarray(0, 5000));
    const path = await cache.fetch(sha);
    assert.deepEqual(await readFile(path), content);
    assert.equal(seen[0]?.range, 'bytes=5000-');
  });

  test('bytes that do not hash to the name are refused and not kept; a bad name is refused before any request', async () => {
    await assert.rejects(cache.fetch(wrongSha), /the downloaded bytes hash to/);
    assert.ok(!(await readdir(join(dir, 'cache'))).some((f) => f.startsWith(wrongSha)));
    assert.throws(() => cache.fetch('../../etc/passwd'), { message: /sha256: must be 64 lower-case hex digits/ });
  });
});
