// The deploy module's tar reader and safe extractor, on archives made by GNU tar and on
// hostile ones built byte by byte: a refused archive writes nothing at all.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { extractTar, UnsafeArchiveError } from '../../src/modules/deploy/tar-extract.ts';
import { TarFormatError } from '../../src/modules/deploy/tar-read.ts';
import { type TarSpec, writeTar } from './tar-builder.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'taskwarden-tar-'));
});
after(() => rm(dir, { recursive: true, force: true }));

let n = 0;
/** A fresh folder with `target/` (where archives extract) and `outside/` next to it. */
async function sandbox(): Promise<{ root: string; target: string; outside: string }> {
  const root = join(dir, `case-${++n}`);
  await mkdir(join(root, 'outside'), { recursive: true });
  return { root, target: join(root, 'target'), outside: join(root, 'outside') };
}

/** Every path under `folder` (empty when it does not exist). */
async function tree(folder: string): Promise<string[]> {
  try {
    return (await readdir(folder, { recursive: true })).sort();
  } catch {
    return [];
  }
}

async function refuses(
  entries: TarSpec[],
  message: RegExp,
  prepare?: (s: Awaited<ReturnType<typeof sandbox>>) => Promise<void>,
) {
  const box = await sandbox();
  await prepare?.(box);
  const archive = join(box.root, 'package.tar');
  // A harmless first entry: it must not be written either, since the archive is refused as a whole.
  await writeTar(archive, [{ name: 'first.txt', content: 'good' }, ...entries]);
  const before = await tree(box.target);
  await assert.rejects(extractTar(archive, box.target), (err: Error) => {
    assert.ok(err instanceof UnsafeArchiveError || err instanceof TarFormatError, String(err));
    assert.match(err.message, message);
    return true;
  });
  assert.deepEqual(await tree(box.target), before, 'nothing written under the target');
  assert.deepEqual(await tree(box.outside), [], 'nothing written outside');
  await assert.rejects(stat(join(box.root, 'evil')));
  await assert.rejects(stat('/etc/evil-taskwarden'));
}

describe('tar extraction', () => {
  test('extracts what GNU tar wrote: folders, modes, long names, links inside', async () => {
    const box = await sandbox();
    const src = join(box.root, 'src');
    const long = `${'deep/'.repeat(25)}file-with-a-name-longer-than-a-hundred-characters.txt`;
    await mkdir(join(src, 'bin'), { recursive: true });
    await mkdir(join(src, long, '..'), { recursive: true });
    await writeFile(join(src, 'bin', 'tool'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    await writeFile(join(src, 'README'), 'read me');
    await writeFile(join(src, long), 'long');
    await symlink('bin/tool', join(src, 'tool-link'));
    execFileSync('ln', [join(src, 'README'), join(src, 'README.hard')]);
    for (const format of ['gnu', 'pax', 'ustar']) {
      const archive = join(box.root, `${format}.tar`);
      const names = format === 'ustar' ? ['bin', 'README', 'README.hard', 'tool-link'] : ['.'];
      execFileSync('tar', [`--format=${format}`, '-cf', archive, '-C', src, ...names]);
      const target = join(box.target, format);
      const counts = await extractTar(archive, target);
      assert.equal(await readFile(join(target, 'README'), 'utf8'), 'read me');
      assert.equal((await stat(join(target, 'bin', 'tool'))).mode & 0o777, 0o755);
      assert.equal(await readlink(join(target, 'tool-link')), 'bin/tool');
      assert.equal((await stat(join(target, 'README.hard'))).ino, (await stat(join(target, 'README'))).ino);
      if (format !== 'ustar') assert.equal(await readFile(join(target, long), 'utf8'), 'long');
      assert.ok(counts.files >= 2 && counts.links === 2, JSON.stringify(counts));
    }
  });

  test('extracting again replaces files, and a symlink is replaced rather than followed', async () => {
    const box = await sandbox();
    const archive = join(box.root, 'a.tar');
    await writeTar(archive, [{ name: 'conf', content: 'v1' }]);
    await extractTar(archive, box.target);
    await writeTar(archive, [{ name: 'conf', content: 'v2' }]);
    await extractTar(archive, box.target);
    assert.equal(await readFile(join(box.target, 'conf'), 'utf8'), 'v2');
    assert.deepEqual(await tree(box.target), ['conf']);
  });

  test('refuses ../evil', () => refuses([{ name: '../evil', content: 'x' }], /"\.\." in/));
  test('refuses a name with .. in the middle', () => refuses([{ name: 'a/../../evil', content: 'x' }], /"\.\." in/));
  test('refuses /etc/evil (absolute)', () =>
    refuses([{ name: '/etc/evil-taskwarden', content: 'x' }], /absolute path/));
  test('refuses a symlink leaving the folder', () =>
    refuses([{ name: 'escape', type: 'symlink', target: '../outside' }], /leaves the folder/));
  test('refuses an absolute symlink', () =>
    refuses([{ name: 'etc', type: 'symlink', target: '/etc' }], /must be relative/));
  test('refuses a symlink pointing outside then a file written through it', () =>
    refuses(
      [
        { name: 'escape', type: 'symlink', target: '../outside' },
        { name: 'escape/evil', content: 'x' },
      ],
      /leaves the folder/,
    ));
  test('refuses a file written through a symlink of the archive, even one pointing inside', () =>
    refuses(
      [
        { name: 'sub', type: 'directory' },
        { name: 'alias', type: 'symlink', target: 'sub' },
        { name: 'alias/evil', content: 'x' },
      ],
      /written through the link "alias"/,
    ));
  test('refuses a symlink whose ".." goes through another link (a -> ., b -> a/..)', () =>
    refuses(
      [
        { name: 'a', type: 'symlink', target: '.' },
        { name: 'b', type: 'symlink', target: 'a/..' },
      ],
      /goes through another link/,
    ));
  test('refuses a file written through a symlink already on disk', () =>
    refuses([{ name: 'data/evil', content: 'x' }], /through the link "data"/, async (box) => {
      await mkdir(box.target);
      await symlink(box.outside, join(box.target, 'data'));
    }));
  test('refuses a hard link to a file outside', () =>
    refuses([{ name: 'passwd', type: 'hardlink', target: '../outside/secret' }], /"\.\." in/));
  test('refuses a hard link to something the archive did not extract', () =>
    refuses([{ name: 'shadow', type: 'hardlink', target: 'etc/shadow' }], /earlier file of the archive/));
  test('refuses device and fifo entries', () => refuses([{ name: 'pipe', type: 'fifo' }], /not supported/));
  test('refuses an entry that appears twice', () =>
    refuses([{ name: 'first.txt', type: 'symlink', target: 'x' }], /appears twice/));

  test('refuses what is not a tar archive, and a truncated one', async () => {
    const box = await sandbox();
    const junk = join(box.root, 'junk.tar');
    await writeFile(junk, Buffer.alloc(2048, 7));
    await assert.rejects(extractTar(junk, box.target), /bad checksum/);
    await writeTar(junk, [{ name: 'big', content: 'x'.repeat(5000) }]);
    const bytes = await readFile(junk);
    await writeFile(junk, bytes.subarray(0, 2048));
    await assert.rejects(extractTar(junk, box.target), /cut short/);
    assert.deepEqual(await tree(box.target), []);
  });

  test('setuid bits are dropped; the "./" entry is the folder itself', async () => {
    const box = await sandbox();
    const archive = join(box.root, 'a.tar');
    await writeTar(archive, [
      { name: './', type: 'directory' },
      { name: './run', content: 'x', mode: 0o4755 },
    ]);
    await extractTar(archive, box.target);
    assert.equal((await lstat(join(box.target, 'run'))).mode & 0o7777, 0o755);
  });
});
