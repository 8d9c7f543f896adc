// The Dockerfile: multi-stage, non-root, the data folder a volume. Its structure is checked
// everywhere; where a Docker daemon answers, the image is built and run too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SERVER_NODE_FLAGS } from '../../src/cli/server-node-flags.ts';

const root = join(import.meta.dirname, '../..');

interface Instruction {
  op: string;
  args: string;
  stage: number;
}

/** Instructions with continuation lines joined and comments dropped, each with its stage number. */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = -1;
  const joined = text.replace(/\\\n/g, ' ');
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [op = '', ...rest] = line.split(/\s+/);
    if (op.toUpperCase() === 'FROM') stage++;
    out.push({ op: op.toUpperCase(), args: rest.join(' '), stage });
  }
  return out;
}

const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const all = instructions(dockerfile);
const stages = all.filter((i) => i.op === 'FROM');
const last = stages.length - 1;
const final = all.filter((i) => i.stage === last);
const env = Object.fromEntries(
  final
    .filter((i) => i.op === 'ENV')
    .flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1] as string, m[2] as string])),
);

test('multi-stage: named stages on the Node.js the project declares; the last copies from an earlier one', () => {
  assert.ok(stages.length >= 2, 'at least a build and a runtime stage');
  const engines = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines.node as string;
  const major = Number(/\d+/.exec(engines)?.[0]);
  for (const from of stages) {
    const match = /^node:(\d+)\S*\s+AS\s+([\w-]+)$/i.exec(from.args);
    assert.ok(match, `FROM ${from.args}: a node image and a stage name`);
    assert.ok(Number(match[1]) >= major, `FROM ${from.args}: Node ${match[1]} satisfies engines ${engines}`);
  }
  const names = stages.slice(0, -1).map((s) => /AS\s+([\w-]+)$/i.exec(s.args)?.[1]);
  const copies = final.filter((i) => i.op === 'COPY');
  assert.ok(
    copies.length > 0 && copies.every((c) => names.some((n) => c.args.includes(`--from=${n}`))),
    'only built files',
  );
  const copied = copies.map((c) => c.args.split(/\s+/).at(-1));
  assert.ok(copied.includes('./dist') && !copied.includes('./src'), 'the compiled build, no TypeScript at run time');
  assert.ok(!all.some((i) => i.op === 'RUN' && /npm (install|i)\b/.test(i.args)), 'npm ci, from the lock file');
  assert.ok(
    all.some((i) => i.op === 'RUN' && /npm ci\b/.test(i.args) && /--omit=dev/.test(i.args)),
    'dev dependencies dropped',
  );
});

test('the server runs as an unprivileged user, with its data folder a volume it owns', () => {
  const users = final.filter((i) => i.op === 'USER');
  assert.equal(users.length, 1);
  assert.ok(!['root', '0', '0:0'].includes(users[0]?.args as string), `USER ${users[0]?.args}`);
  const userAt = final.indexOf(users[0] as Instruction);
  const start = final.findIndex((i) => i.op === 'ENTRYPOINT' || i.op === 'CMD');
  assert.ok(userAt < start, 'USER before the command');
  assert.equal(env.TASKWARDEN_DATA, '/data');
  assert.ok(final.some((i) => i.op === 'VOLUME' && i.args.split(/\s+/).includes(env.TASKWARDEN_DATA as string)));
  assert.ok(
    final.some((i) => i.op === 'RUN' && i.args.includes(`chown ${users[0]?.args}`) && i.args.includes('/data')),
  );
  assert.equal(env.TASKWARDEN_HOST, '0.0.0.0', 'reachable through a published port');
  assert.ok(final.some((i) => i.op === 'EXPOSE' && i.args === env.TASKWARDEN_PORT));
  const health = final.find((i) => i.op === 'HEALTHCHECK');
  assert.ok(health?.args.includes(`127.0.0.1:${env.TASKWARDEN_PORT}/health`), 'a health check on /health');
  const entry = final.find((i) => i.op === 'ENTRYPOINT');
  // The server's Node.js flags (cli/server-node-flags.ts), as every start of it in the repository.
  assert.deepEqual(JSON.parse(entry?.args ?? '[]'), ['node', ...SERVER_NODE_FLAGS, 'bin/taskwarden.js']);
  assert.deepEqual(JSON.parse(final.find((i) => i.op === 'CMD')?.args ?? '[]'), ['server']);
});

test('what the build copies from the repository exists, and the build context leaves local state out', () => {
  const ignored = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim());
  for (const excluded of ['node_modules', 'taskwarden-data', 'web/dist', '*.db'])
    assert.ok(ignored.includes(excluded), excluded);
  for (const copy of all.filter((i) => i.op === 'COPY' && !i.args.includes('--from='))) {
    const sources = copy.args.split(/\s+/).slice(0, -1);
    for (const source of sources) assert.ok(existsSync(join(root, source)), `COPY ${source}: in the repository`);
  }
});

test('docker build and run, where a Docker daemon answers', (t) => {
  if (spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 }).status !== 0) {
    t.diagnostic('no Docker daemon here: the image build is not exercised (the structure is checked above)');
    return;
  }
  const tag = `taskwarden-test:${process.pid}`;
  const build = spawnSync('docker', ['build', '-t', tag, root], { encoding: 'utf8', timeout: 900_000 });
  assert.equal(build.status, 0, build.stderr);
  try {
    const version = spawnSync('docker', ['run', '--rm', tag, '--version'], { encoding: 'utf8', timeout: 120_000 });
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    assert.equal(version.stdout.trim(), pkg.version, version.stderr);
    const user = spawnSync('docker', ['run', '--rm', '--entrypoint', 'id', tag, '-u'], { encoding: 'utf8' });
    assert.notEqual(user.stdout.trim(), '0', 'not root');
  } finally {
    spawnSync('docker', ['rmi', '-f', tag], { stdio: 'ignore' });
  }
});

test('npm start starts the demo server with the server’s Node.js flags', () => {
  const start = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start as string;
  assert.equal(start, ['node', ...SERVER_NODE_FLAGS, 'bin/taskwarden.js', 'demo'].join(' '));
});
