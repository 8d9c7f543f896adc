// literal(): a status or runner written into a statement's text (literals.ts) is a lower-case
// word of the code; anything that could close its quotes is refused before any SQL is built.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { literal, literals } from '../../src/store/sql/literals.ts';

test('a status or runner is written; a quote, a space or an empty value is refused', () => {
  assert.ok(literal('running'));
  assert.equal(literals(['prepared', 'running']).length, 2);
  for (const value of ["running' or '1'='1", 'running; drop table jobstates', '', 'Running', 'x'.repeat(41)])
    assert.throws(() => literal(value), /not a status or runner/, value);
});
