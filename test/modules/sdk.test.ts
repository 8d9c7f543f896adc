import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { builtinModules } from '../../src/modules/builtin.ts';
// Third parties import the compiled SDK as `taskwarden/sdk`: test/build/build.test.ts checks that.
import { createModuleRegistry, defineModule, ValidationError } from '../../src/modules/sdk/index.ts';

const schema = {
  type: 'object',
  properties: {
    host: { type: 'string', minLength: 1 },
    port: { type: 'integer', minimum: 1, maximum: 65535, default: 22 },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string' } },
        required: ['name'],
        additionalProperties: false,
      },
    },
  },
  required: ['host'],
  additionalProperties: false,
};

const probe = () =>
  defineModule<{ host: string; port: number }>({
    name: 'probe',
    title: 'Probe',
    runsOn: 'server',
    paramsSchema: schema,
    execute: async () => ({ done: true, ok: true }),
  });

describe('module SDK', () => {
  test('defineModule fills the defaults', () => {
    const m = probe();
    assert.deepEqual([m.parallelizable, m.icon, m.description, m.title], [true, '•', '', 'Probe']);
  });

  test('derived parseParams fills defaults without touching the input', () => {
    const input = { host: 'db1' };
    assert.deepEqual(probe().parseParams(input, 'jobs[0].params'), { host: 'db1', port: 22 });
    assert.deepEqual(input, { host: 'db1' });
  });

  test('derived parseParams names the offending field', () => {
    const m = probe();
    const cases: [unknown, string, RegExp][] = [
      [{}, 'p.host', /required/],
      [{ host: 'a', port: '22' }, 'p.port', /integer/],
      [{ host: 'a', port: 70000 }, 'p.port', /<= 65535/],
      [{ host: 'a', user: 'root' }, 'p.user', /not a known property/],
      [{ host: 'a', items: [{ name: 'x' }, { name: 'y', nom: 'y' }] }, 'p.items[1].nom', /not a known property/],
      [{ host: 'a', items: [{ name: 'x' }, {}] }, 'p.items[1].name', /required/],
      ['host=a', 'p', /object/],
    ];
    for (const [params, field, message] of cases) {
      assert.throws(
        () => m.parseParams(params, 'p'),
        (err: unknown) => err instanceof ValidationError && err.field === field && message.test(err.message),
        `${JSON.stringify(params)} should fail on ${field}`,
      );
    }
  });

  test('a custom parseParams refines params the schema already accepted', () => {
    const seen: unknown[] = [];
    const m = defineModule({
      name: 'refined',
      title: 'Refined',
      runsOn: 'agent',
      paramsSchema: schema,
      agent: { run: async () => ({ ok: true }) },
      parseParams: (params) => {
        seen.push(params);
        return { target: `${params['host']}:${params['port']}` };
      },
    });
    assert.deepEqual(m.parseParams({ host: 'db1' }, 'p'), { target: 'db1:22' });
    assert.deepEqual(seen, [{ host: 'db1', port: 22 }]);
    assert.throws(() => m.parseParams({}, 'p'), { field: 'p.host' });
  });

  test('malformed definitions fail when defined', () => {
    const agent = { run: async () => ({ ok: true }) };
    const base = { title: 'X', runsOn: 'agent' as const, paramsSchema: { type: 'object' }, agent };
    assert.throws(() => defineModule({ ...base, name: 'Bad Name' }), /module name/);
    assert.throws(() => defineModule({ ...base, name: 'x', title: '' }), /title is missing/);
    assert.throws(() => defineModule({ ...base, name: 'x', agent: undefined }), /needs an agent half/);
    assert.throws(() => defineModule({ ...base, name: 'x', paramsSchema: { type: 'string' } }), /describe an object/);
    assert.throws(() => defineModule({ ...base, name: 'x', runsOn: 'both' }), /needs a server half/);
    // ajv strict mode: a misspelt keyword is an error, not a silently ignored one.
    assert.throws(
      () => defineModule({ ...base, name: 'x', paramsSchema: { type: 'object', propertys: {} } }),
      /strict/,
    );
  });

  test('createModuleRegistry finds modules by name and refuses duplicates', () => {
    const registry = createModuleRegistry([probe()]);
    assert.equal(registry.get('probe')?.name, 'probe');
    assert.equal(registry.get('nope'), undefined);
    assert.deepEqual(
      registry.list().map((m) => m.name),
      ['probe'],
    );
    assert.throws(() => createModuleRegistry([probe(), probe()]), /registered twice/);
  });

  test('the built-in modules form a registry, each with the halves where it runs; test modules only when asked', () => {
    const names = [
      'command',
      'housekeeping',
      'inventory',
      'wakeonlan',
      'wakeonlan-relay',
      'deploy',
      'netdiscovery',
      'backup',
    ];
    assert.deepEqual(
      builtinModules().map((m) => m.name),
      names,
    );
    const registry = createModuleRegistry(builtinModules({ testModules: true }));
    assert.deepEqual(
      registry.list().map((m) => m.name),
      [...names, 'noop', 'noop-serial'],
    );
    for (const m of registry.list()) {
      if (m.runsOn !== 'agent') assert.equal(typeof m.execute, 'function', `${m.name}: server half`);
      // wakeonlan's agent targets are asleep: the server runs their jobstates.
      if (m.runsOn !== 'server' && m.agentTargetsRunOn !== 'server') {
        assert.equal(typeof m.agent?.run, 'function', `${m.name}: agent half`);
      }
    }
  });
});
