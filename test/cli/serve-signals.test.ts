// How a served process takes its stop signals (cli/serve.ts), with real signals: the first
// shuts down gracefully (exit 0); another means "now" (exit 1); but the same signal again
// within a moment is the same request, which a relaunched server gets twice when its process
// group is signalled (cli/relaunch.ts).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'serve-until-signal.ts');

/** Runs the fixture with `steps`; resolves with its exit code and output. */
function served(...steps: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, ...steps], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

test('one stop signal shuts down gracefully', async () => {
  const { code, output } = await served('SIGTERM');
  assert.equal(code, 0, output);
  assert.match(output, /SIGTERM received, shutting down/);
});

test('the same signal again at once counts once', async () => {
  const { code, output } = await served('SIGINT', '50', 'SIGINT');
  assert.equal(code, 0, output);
  assert.equal(output.match(/received/g)?.length, 1, output);
});

test('the same signal later, or another signal, means now', async () => {
  assert.equal((await served('SIGINT', '800', 'SIGINT')).code, 1);
  assert.equal((await served('SIGINT', '50', 'SIGTERM')).code, 1);
});
