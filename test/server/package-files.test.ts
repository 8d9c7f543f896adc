// The package content store (hash while streaming, refuse past the limit, never leave a
// partial file, delete what no org records) and the Range header parsing the files endpoint relies on.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { parseByteRange } from '../../src/server/byte-range.ts';
import { PackageFiles } from '../../src/server/package-files.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'taskwarden-package-files-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** A stream of `chunks` pieces of `size` bytes each, as an upload arrives. */
const chunked = (chunks: number, size: number) =>
  Readable.from(Array.from({ length: chunks }, (_, i) => Buffer.alloc(size, i)));

/** Receives and keeps an upload, as the route does once the org's quota allows it. */
async function save(files: PackageFiles, source: Readable) {
  const upload = await files.receive(source);
  await upload.keep();
  return { sha256: upload.sha256, size: upload.size };
}

describe('package files', () => {
  test('content is stored under its sha256, once', async () => {
    const files = new PackageFiles(join(dir, 'a'), 1000);
    const bytes = Buffer.concat(Array.from({ length: 4 }, (_, i) => Buffer.alloc(100, i)));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    assert.deepEqual(await save(files, chunked(4, 100)), { sha256, size: 400 });
    assert.deepEqual(await save(files, chunked(4, 100)), { sha256, size: 400 });
    assert.deepEqual(await readFile(files.pathOf(sha256)), bytes);
    assert.equal(await files.size(sha256), 400);
    assert.equal(await files.size('0'.repeat(64)), null);
    assert.deepEqual(await readdir(join(dir, 'a')), [sha256]);
    assert.throws(() => files.pathOf('../../etc/passwd'), /sha256: must be 64 lower-case hex digits/);
  });

  test('an upload past the limit fails with payload_too_large and leaves no file', async () => {
    const files = new PackageFiles(join(dir, 'b'), 250);
    await assert.rejects(save(files, chunked(3, 100)), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'payload_too_large');
      return true;
    });
    assert.deepEqual(await readdir(join(dir, 'b')), []);
    assert.equal((await save(files, chunked(2, 125))).size, 250, 'exactly the limit is fine');
  });

  test('a discarded upload leaves no file', async () => {
    const files = new PackageFiles(join(dir, 'c'), 1000);
    const upload = await files.receive(chunked(2, 100));
    await upload.discard();
    assert.deepEqual(await readdir(join(dir, 'c')), []);
  });

  test('orphans: old files no org records and old partial uploads go; recorded and recent ones stay', async () => {
    const files = new PackageFiles(join(dir, 'd'), 1000);
    const recorded = await save(files, chunked(1, 10));
    const orphan = await save(files, chunked(1, 20));
    const fresh = await save(files, chunked(1, 30));
    await writeFile(join(dir, 'd', 'upload-0123456789abcdef.part'), 'stale');
    await writeFile(join(dir, 'd', 'notes.txt'), 'not ours');
    const old = new Date(Date.now() - 3_600_000);
    for (const name of [recorded.sha256, orphan.sha256, 'upload-0123456789abcdef.part', 'notes.txt']) {
      await utimes(join(dir, 'd', name), old, old);
    }
    const asked: string[][] = [];
    const deleted = await files.deleteOrphans(Date.now() - 60_000, async (shas) => {
      asked.push([...shas].sort());
      return new Set([recorded.sha256]);
    });
    assert.equal(deleted, 2);
    assert.deepEqual(asked, [[recorded.sha256, orphan.sha256].sort()]);
    assert.deepEqual((await readdir(join(dir, 'd'))).sort(), [recorded.sha256, fresh.sha256, 'notes.txt'].sort());
    assert.equal(await new PackageFiles(join(dir, 'missing')).deleteOrphans(Date.now(), async () => new Set()), 0);
  });
});

describe('byte ranges', () => {
  test('a-b, a- and -n; a range past the end is clamped, one starting past it unsatisfiable', () => {
    assert.deepEqual(parseByteRange('bytes=0-99', 1000), { start: 0, end: 99 });
    assert.deepEqual(parseByteRange('bytes=900-', 1000), { start: 900, end: 999 });
    assert.deepEqual(parseByteRange('bytes=-100', 1000), { start: 900, end: 999 });
    assert.deepEqual(parseByteRange('bytes=-5000', 1000), { start: 0, end: 999 });
    assert.deepEqual(parseByteRange('bytes=990-2000', 1000), { start: 990, end: 999 });
    assert.equal(parseByteRange('bytes=1000-', 1000), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=-0', 1000), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=0-', 0), 'unsatisfiable');
  });

  test('no header, several ranges or nonsense: the whole file', () => {
    for (const header of [undefined, 'bytes=0-1,5-9', 'items=0-5', 'bytes=-', 'bytes=9-3', 'bytes=a-b']) {
      assert.equal(parseByteRange(header, 1000), 'whole', String(header));
    }
  });
});
