// The default per-address connection cap: a quarter of the process's open-file limit, so a
// site's fleet behind one NAT address gets in (test/server/keep-alive.test.ts runs one on
// the defaults) while one address still cannot take every descriptor.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectionCapFor } from '../../src/server/http-limits.ts';

const limits = (openFiles: string) =>
  [
    'Limit                     Soft Limit           Hard Limit           Units     ',
    'Max processes             95412                95412                processes ',
    `Max open files            ${openFiles.padEnd(20)} 1048576              files     `,
    'Max locked memory         8388608              8388608              bytes     ',
  ].join('\n');

test('the default cap is a quarter of the soft open-file limit', () => {
  assert.equal(connectionCapFor(limits('1048576')), 262_144);
  assert.equal(connectionCapFor(limits('20000')), 5_000);
  assert.equal(connectionCapFor(limits('unlimited')), Math.floor(Number.MAX_SAFE_INTEGER / 4));
});

test('never below 64, and a quarter of the usual 1,024 where the limit cannot be read', () => {
  assert.equal(connectionCapFor(limits('100')), 64);
  assert.equal(connectionCapFor(null), 256);
  assert.equal(connectionCapFor('no such line'), 256);
});
