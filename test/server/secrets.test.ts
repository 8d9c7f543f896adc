// Secrets (API and session tokens, agent credentials, enrolment tokens) are stored as their
// SHA-256 in hex: whichever of Node's hash functions computes it, a hash stored by an
// earlier release must still find its row.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashSecret, newSecret } from '../../src/server/secrets.ts';

test('a secret is stored as its SHA-256 in hex', () => {
  // FIPS 180-2's first example.
  assert.equal(hashSecret('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  const secret = newSecret();
  assert.match(hashSecret(secret), /^[0-9a-f]{64}$/);
  assert.notEqual(hashSecret(secret), hashSecret(newSecret()));
});
