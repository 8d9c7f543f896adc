// A deploy job as the agent's Deploy task runs it, what its setStatus calls mean (sequences
// captured from the real agent: a job done, a job skipped by its check, a failed command),
// and the archive parts it downloads.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import {
  agentDeployJob,
  readDeployStatus,
  shellQuote,
  UnsupportedDeploy,
} from '../../src/modules/deploy/fusioninventory.ts';
import type { DeployPayload } from '../../src/modules/deploy/schema.ts';
import { gzipStored, PART_SIZE, partPath, partRanges } from '../../src/modules/fusioninventory/file-parts.ts';
import { deployUuidOf } from '../../src/modules/fusioninventory/ids.ts';
import type { FusionInventoryDeployStatus as DeployStatus } from '../../src/modules/sdk/index.ts';
import { fixture } from './fixtures.ts';

const ref = deployUuidOf({ jobstateId: '01a20d91-8b9c-7175-b07c-84286102117c', attempt: 2 });
const sha256 = 'ab'.repeat(32);
const archive = {
  sha512: 'cd'.repeat(64),
  parts: ['ef'.repeat(64)],
  mirror: 'http://tw/plugins/fusioninventory/files/x/',
};
const payload = (over: Partial<DeployPayload> = {}): DeployPayload => ({
  package: { name: 'app', version: '1.0', sha256, size: 2048 },
  action: 'install',
  checks: [
    { type: 'file-exists', path: '/opt/app/run.sh' },
    { type: 'file-absent', path: '/opt/old' },
  ],
  steps: [
    { type: 'extract', to: '/opt' },
    { type: 'command', command: 'write-marker', argv: ['sh', '-c', 'echo "$1"', 'x', "it's"], timeoutSeconds: 60 },
  ],
  extractPrefixes: ['/opt'],
  ...over,
});

describe('deploy jobs for the agent', () => {
  test('checks: all but the last start the job when they fail; the last is asked the other way and skips it', () => {
    const { job, files } = agentDeployJob(ref, payload(), archive, 'Debian GNU/Linux');
    assert.equal(job['uuid'], '01a20d91-8b9c-7175-b07c-84286102117c.2');
    assert.deepEqual(job['checks'], [
      { type: 'fileExists', path: '/opt/app/run.sh', return: 'startnow' },
      { type: 'fileExists', path: '/opt/old', return: 'skip' },
    ]);
    assert.deepEqual(job['associatedFiles'], [archive.sha512]);
    assert.deepEqual(files, {
      [archive.sha512]: {
        name: 'app-abababababab.tar',
        mirrors: [archive.mirror],
        multiparts: archive.parts,
        p2p: 0,
        'p2p-retention-duration': 0,
        uncompress: 0,
      },
    });
  });

  test('one check is asked the other way round; none means the job always runs', () => {
    const one = agentDeployJob(ref, payload({ checks: [{ type: 'file-absent', path: '/opt/x' }] }), archive, null);
    assert.deepEqual(one.job['checks'], [{ type: 'fileExists', path: '/opt/x', return: 'skip' }]);
    assert.deepEqual(agentDeployJob(ref, payload({ checks: [] }), archive, null).job['checks'], []);
  });

  test('steps: an extract is a mkdir and a fixed tar command; a catalog command is its argv, quoted word by word', () => {
    const { job } = agentDeployJob(ref, payload(), archive, null);
    const okCode = [{ type: 'okCode', values: [0] }];
    assert.deepEqual(job['actions'], [
      { mkdir: { list: ['/opt'], name: 'step 1: create /opt' } },
      {
        cmd: {
          exec: "'tar' '-xf' 'app-abababababab.tar' '-C' '/opt' '--no-same-owner'",
          name: 'step 1: extract the package to /opt',
          retChecks: okCode,
          logLineLimit: 50,
        },
      },
      {
        cmd: {
          exec: `'sh' '-c' 'echo "$1"' 'x' 'it'\\''s'`,
          name: 'step 2: write-marker',
          retChecks: okCode,
          logLineLimit: 50,
        },
      },
    ]);
  });

  test('without an extract step no file is handed out', () => {
    const commands = payload({ steps: [{ type: 'command', command: 'c', argv: ['true'], timeoutSeconds: 1 }] });
    const { job, files } = agentDeployJob(ref, commands, null, null);
    assert.deepEqual([job['associatedFiles'], files], [[], {}]);
  });

  test('what the agent cannot do as Taskwarden means it is refused, saying why', () => {
    const refused = (over: Partial<DeployPayload>, os: string | null, why: RegExp) =>
      assert.throws(
        () => agentDeployJob(ref, payload(over), archive, os),
        (err: Error) => {
          assert.ok(err instanceof UnsupportedDeploy);
          assert.match(err.message, why);
          return true;
        },
      );
    refused(
      { checks: [{ type: 'command', command: 'c', argv: ['true'], timeoutSeconds: 1 }] },
      null,
      /no command check/,
    );
    refused({ checks: [{ type: 'file-exists', path: '/opt/$HOME' }] }, null, /checks\[0\]\.path/);
    refused({ checks: [{ type: 'file-exists', path: 'app/run.sh' }] }, null, /checks\[0\]\.path: .*no package root/);
    refused({ steps: [{ type: 'extract', to: 'app' }] }, null, /steps\[0\]\.to: .*no package root/);
    refused({ extractPrefixes: [] }, null, /steps\[0\]\.to: "\/opt" is outside/);
    refused({}, 'Microsoft Windows 10 Pro', /not Windows/);
  });

  test('a quoted word reaches the program exactly as given, whatever it holds', () => {
    const word = fc.oneof(fc.string({ unit: 'grapheme' }), fc.stringMatching(/^[$`'"\\\n ;|&*?~()<>-]*$/));
    fc.assert(
      fc.property(
        fc.array(
          word.filter((w) => !w.includes('\0')),
          { minLength: 1, maxLength: 4 },
        ),
        (words) => {
          const script = `printf '%s\\0' ${words.map(shellQuote).join(' ')}`;
          const out = spawnSync('/bin/sh', ['-c', script]).stdout.toString('utf8');
          assert.deepEqual(out.split('\0').slice(0, -1), words);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('setStatus from the agent', () => {
  const calls = (name: string): DeployStatus[] =>
    fixture(name)
      .trim()
      .split('\n')
      .map((line) => Object.fromEntries(new URLSearchParams(line)) as unknown as DeployStatus);
  const ends = (name: string) =>
    calls(name)
      .map(readDeployStatus)
      .filter((meaning) => meaning.end !== null)
      .map((meaning) => meaning.end);

  test('a job done ends ok once, at its last call', () => {
    const sequence = calls('deploy-status-ok.txt');
    assert.deepEqual(ends('deploy-status-ok.txt'), [{ outcome: 'ok', message: 'job successfully completed' }]);
    assert.notEqual(readDeployStatus(sequence[sequence.length - 1] as DeployStatus).end, null);
  });

  test('a job its check skipped ends unneeded', () => {
    assert.deepEqual(ends('deploy-status-skipped.txt'), [{ outcome: 'unneeded', message: 'job skipped' }]);
  });

  test('a failed command ends ko with what failed', () => {
    assert.deepEqual(ends('deploy-status-ko.txt'), [{ outcome: 'ko', message: 'step 1: fail, processing failure' }]);
  });

  test('every call is a log line saying the step, the status and the message', () => {
    const lines = calls('deploy-status-ok.txt').map((call) => readDeployStatus(call).line);
    assert.equal(lines[0], '[checking] starting');
    assert.ok(lines.includes('[checking] ok: check #1, fileExists not successful then start job now'));
    assert.ok(lines.some((line) => /^\[downloading\] ok: app-\w+\.tar downloaded \(file [0-9a-f]{12}…\)$/.test(line)));
    assert.equal(lines[lines.length - 1], '[end] ok: job successfully completed');
  });
});

describe('archive parts', () => {
  test('a part is a gzip member that inflates to its slice, the same bytes every time', () => {
    for (const size of [0, 1, 65_535, 65_536, 300_000]) {
      const slice = randomBytes(size);
      const part = gzipStored(slice);
      assert.deepEqual(gunzipSync(part), slice);
      assert.deepEqual(gzipStored(Buffer.from(slice)), part);
    }
  });

  test('a part never starts like raw data: a slice that looks like gzip stays what it is', () => {
    const lookalike = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08]), randomBytes(100)]);
    assert.deepEqual(gunzipSync(gzipStored(lookalike)), lookalike);
  });

  test('an archive is cut in parts of PART_SIZE bytes, found under <c>/<cc>/<sha512>', () => {
    assert.deepEqual(partRanges(2 * PART_SIZE + 5), [
      { start: 0, end: PART_SIZE },
      { start: PART_SIZE, end: 2 * PART_SIZE },
      { start: 2 * PART_SIZE, end: 2 * PART_SIZE + 5 },
    ]);
    assert.deepEqual(partRanges(0), [{ start: 0, end: 0 }]);
    const sha512 = createHash('sha512').update('x').digest('hex');
    assert.equal(partPath(sha512), `${sha512[0]}/${sha512.slice(0, 2)}/${sha512}`);
  });
});
