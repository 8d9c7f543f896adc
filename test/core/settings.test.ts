// The one resolver of settings: flag > environment > config file > default, with every
// value traceable to where it came from, and a config file whose mistakes name file and key.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { flagProperty, parseSettingsFile, resolveSettings, type SettingSpec } from '../../src/core/settings.ts';

const SPECS: SettingSpec[] = [
  { key: 'port', flag: '--port', env: 'X_PORT', default: '8080', doc: '' },
  { key: 'trustProxy', flag: '--trust-proxy', env: 'X_TRUST', default: 'none', doc: '' },
  { key: 'tls.cert', flag: '--tls-cert', env: 'X_CERT', default: 'none', doc: '' },
  { key: 'tls.key', env: 'X_KEY', default: 'none', doc: '' },
];

describe('settings', () => {
  test('a flag beats the environment, which beats the file; nothing given is null (the default)', () => {
    const file = parseSettingsFile('port: 9000\ntls: {cert: /etc/c.pem}\n', '/etc/x.yaml', SPECS, parse);
    const all = resolveSettings(SPECS, { flags: { port: '1' }, env: { X_PORT: '2' }, file });
    assert.deepEqual(all('port'), { value: '1', source: '--port' });
    const envOnly = resolveSettings(SPECS, { flags: {}, env: { X_PORT: '2', X_CERT: '' }, file });
    assert.deepEqual(envOnly('port'), { value: '2', source: 'X_PORT' });
    assert.deepEqual(
      envOnly('tls.cert'),
      { value: '/etc/c.pem', source: '/etc/x.yaml: tls.cert' },
      'an empty variable is unset',
    );
    const fileOnly = resolveSettings(SPECS, { flags: {}, env: {}, file });
    assert.deepEqual(fileOnly('port'), { value: '9000', source: '/etc/x.yaml: port' });
    assert.equal(fileOnly('tls.key'), null);
    assert.deepEqual(resolveSettings(SPECS, { flags: { trustProxy: true }, env: {}, file })('trustProxy'), {
      value: 'true',
      source: '--trust-proxy',
    });
  });

  test('file values: numbers and booleans as text, lists comma-joined, dotted keys nested or null', () => {
    const file = parseSettingsFile('trustProxy: [127.0.0.1, 10.0.0.0/8]\ntls:\n  key: null\n', 'f.yaml', SPECS, parse);
    assert.deepEqual(
      [...file.entries()],
      [['trustProxy', { value: '127.0.0.1,10.0.0.0/8', source: 'f.yaml: trustProxy' }]],
    );
    assert.deepEqual([...parseSettingsFile('', 'f.yaml', SPECS, parse)], [], 'an empty file sets nothing');
    assert.deepEqual(parseSettingsFile('trustProxy: true', 'f.yaml', SPECS, parse).get('trustProxy')?.value, 'true');
  });

  test('a mistake in the file names the file and the key, and what is wrong', () => {
    assert.throws(() => parseSettingsFile('prot: 80\n', 'f.yaml', SPECS, parse), {
      message: /^f\.yaml: prot: is not a setting \(known: port, trustProxy, tls\.cert, tls\.key\)/,
    });
    assert.throws(() => parseSettingsFile('tls: {crt: x}\n', 'f.yaml', SPECS, parse), {
      message: /^f\.yaml: tls\.crt: is not a setting/,
    });
    assert.throws(() => parseSettingsFile('port: {a: 1}\n', 'f.yaml', SPECS, parse), {
      message: /^f\.yaml: port: must be a string/,
    });
    assert.throws(() => parseSettingsFile('- port\n', 'f.yaml', SPECS, parse), {
      message: /^f\.yaml: must be a mapping/,
    });
    assert.throws(() => parseSettingsFile('port: [\n', 'f.yaml', SPECS, parse), {
      message: /^f\.yaml: is not valid YAML/,
    });
  });

  test('flags are looked up under the property commander gives them', () => {
    assert.equal(flagProperty('--trust-proxy'), 'trustProxy');
    assert.equal(flagProperty('--tls-cert'), 'tlsCert');
    assert.equal(flagProperty('--port'), 'port');
  });
});
