// The README's configuration table is the settings table of the code, row for row: a
// setting added, renamed or given a flag cannot go undocumented.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SERVER_SETTINGS } from '../../src/server/settings.ts';

test('README "Configuration" lists every server setting with its key, flag, variable and default', () => {
  const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
  const marker = readme.indexOf('<!-- settings: src/server/settings.ts');
  assert.ok(marker > 0, 'the table is marked');
  const lines = readme.slice(marker).split('\n').slice(1);
  const table = lines.slice(
    0,
    lines.findIndex((l) => !l.startsWith('|')),
  );
  const rows = table.slice(2).map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );
  const code = (text?: string) => (text ? `\`${text}\`` : '');
  assert.deepEqual(
    rows,
    SERVER_SETTINGS.map((s) => [code(s.key), code(s.flag), code(s.env), s.default, s.doc]),
  );
});
