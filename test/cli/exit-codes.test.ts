import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { EXIT_CODES, exitCodeOfError } from '../../src/cli/exit-codes.ts';
import { ERROR_CATALOG, type ErrorCode } from '../../src/core/errors.ts';

test('every catalog error code has the exit code of its kind, from the one table', () => {
  const exits = new Set<number>(EXIT_CODES.map((row) => row.exit));
  for (const code of Object.keys(ERROR_CATALOG) as ErrorCode[]) {
    assert.ok(exits.has(exitCodeOfError(code)), code);
  }
  // Every status the catalog uses has its row: none falls through to "failed" by omission.
  const listed = new Set<number>(EXIT_CODES.flatMap((row) => [...row.statuses]));
  for (const [code, status] of Object.entries(ERROR_CATALOG)) assert.ok(listed.has(status), `${code}: ${status}`);
  assert.deepEqual(
    ['invalid_input', 'not_found', 'task_name_taken', 'forbidden', 'unauthorized', 'store_busy'].map((c) =>
      exitCodeOfError(c as ErrorCode),
    ),
    [2, 3, 4, 5, 5, 1],
  );
});

test('taskwarden --help ends with the exit code table', () => {
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--help'], { encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  for (const row of EXIT_CODES) assert.match(res.stdout, new RegExp(`^ {2}${row.exit} {2}\\S`, 'm'));
});
