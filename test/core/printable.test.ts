import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeUnprintable, isPrintable } from '../../src/core/printable.ts';

test('letters of any script, marks, symbols and spaces are printable', () => {
  for (const text of ['', 'Poste 12', 'Büro 3 · 東京', 'نقطة', 'étage-2 (ø)', 'ok ✓', 'a\u200db']) {
    assert.ok(isPrintable(text), JSON.stringify(text));
  }
});

test('controls, DEL, C1, line separators and bidi overrides are not', () => {
  const acting = ['\u0000', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009b', '\u2028', '\u202e', '\u2066'];
  for (const c of acting) assert.ok(!isPrintable(`a${c}b`), JSON.stringify(c));
});

test('escapes show what the rule refuses, as text or as JSON escapes', () => {
  assert.equal(escapeUnprintable('\u001b]0;x\u0007 \u202eabc\n'), '\\x1b]0;x\\x07 \\u202eabc\\x0a');
  const json = JSON.stringify({ name: 'a\u009bb\u001b' }, null, 2);
  const escaped = escapeUnprintable(json, 'json');
  assert.equal(escaped, '{\n  "name": "a\\u009bb\\u001b"\n}');
  assert.deepEqual(JSON.parse(escaped), { name: 'a\u009bb\u001b' });
});
