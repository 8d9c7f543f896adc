import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parse } from 'yaml';
import { parseCatalogCommand, renderArgv, renderInvocation } from '../../src/core/catalog.ts';
import { catalogOptionsFor, mayRunOnServer } from '../../src/core/catalog-authors.ts';
import { TaskwardenError, ValidationError } from '../../src/core/errors.ts';
import { maskSecrets } from '../../src/core/param-delivery.ts';

const examples = parse(readFileSync(new URL('../../examples/catalog.yaml', import.meta.url), 'utf8'));

const ADMIN = { globalAdmin: true };
const ORG_ADMIN = { globalAdmin: false };

const diskUsage = {
  name: 'disk-usage',
  argv: ['df', '-h', '{path}'],
  params: { path: { type: 'string', pattern: '^/[A-Za-z0-9/_.-]*$' } },
  runsOn: 'server',
  timeout: '5m',
};

function rejects(fn: () => unknown, field: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ValidationError, `expected a ValidationError, got ${err}`);
    assert.equal(err.field, field);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe('parseCatalogCommand', () => {
  test('accepts every command of the example catalog', () => {
    assert.ok(Array.isArray(examples) && examples.length === 4);
    const parsed = examples.map((c: unknown, i: number) => parseCatalogCommand(c, ADMIN, `catalog[${i}]`));
    assert.deepEqual(
      parsed.map((c) => [c.name, c.runsOn, c.timeoutSeconds]),
      [
        ['disk-usage', 'both', 60],
        ['repo-sync', 'server', 6 * 3600],
        ['restart-service', 'agent', 120],
        ['db-backup', 'agent', 3600],
      ],
    );
    assert.deepEqual(parsed[1]?.argv, ['rsync', '-a', '--delete', '{source}', '/srv/mirror/']);
  });

  test("accepts the Contract's example and fills the defaults", () => {
    assert.deepEqual(parseCatalogCommand(diskUsage, ADMIN), {
      name: 'disk-usage',
      description: '',
      argv: ['df', '-h', '{path}'],
      params: diskUsage.params,
      runsOn: 'server',
      timeoutSeconds: 300,
      definedByAdmin: true,
    });
    const minimal = parseCatalogCommand({ name: 'uptime', argv: ['/usr/bin/uptime'] }, ADMIN);
    assert.deepEqual([minimal.params, minimal.runsOn, minimal.timeoutSeconds], [{}, 'server', 300]);
  });

  test('an org-admin defines agent commands: runsOn defaults to agent, server and both are 403', () => {
    assert.deepEqual(catalogOptionsFor(ORG_ADMIN), { defaultRunsOn: 'agent', serverCommands: false });
    assert.deepEqual(catalogOptionsFor(ADMIN), { defaultRunsOn: 'server', serverCommands: true });
    const { runsOn: _, ...unsaid } = diskUsage;
    const own = parseCatalogCommand(unsaid, ORG_ADMIN);
    assert.deepEqual([own.runsOn, own.definedByAdmin], ['agent', false]);
    assert.equal(parseCatalogCommand({ ...diskUsage, runsOn: 'agent' }, ORG_ADMIN).runsOn, 'agent');
    for (const runsOn of ['server', 'both']) {
      assert.throws(
        () => parseCatalogCommand({ ...diskUsage, runsOn }, ORG_ADMIN, 'command'),
        (err: unknown) =>
          err instanceof TaskwardenError &&
          err.code === 'global_admin_only' &&
          /^command\.runsOn: only the global admin defines commands that run on the server/.test(err.message),
      );
    }
    // A bad value is still bad input, not a permission question.
    rejects(() => parseCatalogCommand({ ...diskUsage, runsOn: 'everywhere' }, ORG_ADMIN), 'command.runsOn');
  });

  test('only the global admin’s entries that say server or both may run on the server', () => {
    const entry = (runsOn: 'server' | 'agent' | 'both', definedByAdmin: boolean) => ({ runsOn, definedByAdmin });
    assert.deepEqual(
      [
        entry('server', true),
        entry('both', true),
        entry('agent', true),
        entry('server', false),
        entry('both', false),
      ].map(mayRunOnServer),
      [true, true, false, false, false],
    );
  });

  test('accepts literal braces that are not placeholders', () => {
    const find = parseCatalogCommand({ name: 'find-tmp', argv: ['find', '/tmp', '-exec', 'ls', '{}', ';'] }, ADMIN);
    assert.equal(find.argv[4], '{}');
    assert.ok(parseCatalogCommand({ name: 'first-col', argv: ['awk', '{print $1}', '/etc/hosts'] }, ADMIN));
  });

  const bad: [string, Record<string, unknown>, string, RegExp?][] = [
    ['unknown property', { runOn: 'server' }, 'command.runOn', /not a known property/],
    ['upper-case name', { name: 'Disk' }, 'command.name'],
    ['name too long', { name: 'a'.repeat(65) }, 'command.name'],
    ['description not a string', { description: 5 }, 'command.description'],
    ['argv missing', { argv: undefined }, 'command.argv'],
    ['argv empty', { argv: [] }, 'command.argv'],
    ['argv too long', { argv: ['true', ...Array(64).fill('x')], params: {} }, 'command.argv'],
    ['argv element not a string', { argv: ['df', 5, '{path}'] }, 'command.argv[1]'],
    ['NUL in argv', { argv: ['df', '-h\0', '{path}'] }, 'command.argv[1]', /NUL/],
    ['partial placeholder', { argv: ['df', '--dir={path}'] }, 'command.argv[1]', /whole arguments/],
    ['placeholder inside text', { argv: ['df', 'x{path}y', '{path}'] }, 'command.argv[1]', /whole arguments/],
    ['placeholder as program', { argv: ['{path}'] }, 'command.argv[0]', /program cannot be a parameter/],
    ['relative program path', { argv: ['./df', '{path}'] }, 'command.argv[0]', /absolute path/],
    ['program with ..', { argv: ['/usr/../bin/df', '{path}'] }, 'command.argv[0]'],
    ['program starting with a dash', { argv: ['-df', '{path}'] }, 'command.argv[0]'],
    ['program with a space', { argv: ['rm -rf', '{path}'] }, 'command.argv[0]'],
    ['placeholder without schema', { argv: ['df', '{path}', '{other}'] }, 'command.argv[2]', /no schema/],
    ['unused param', { params: { ...diskUsage.params, unused: { type: 'string' } } }, 'command.params.unused'],
    ['params not an object', { params: [] }, 'command.params'],
    ['bad param name', { argv: ['df', '{1x}'], params: { '1x': { type: 'string' } } }, 'command.params.1x'],
    ['param type missing', { params: { path: { pattern: '^/' } } }, 'command.params.path.type'],
    ['param type object', { params: { path: { type: 'object' } } }, 'command.params.path.type'],
    ['$ref keyword', { params: { path: { type: 'string', $ref: '#/x' } } }, 'command.params.path.$ref', /not allowed/],
    ['format keyword', { params: { path: { type: 'string', format: 'uri' } } }, 'command.params.path.format'],
    ['minimum on a string', { params: { path: { type: 'string', minimum: 1 } } }, 'command.params.path.minimum'],
    ['pattern on an integer', { params: { path: { type: 'integer', pattern: '^1' } } }, 'command.params.path.pattern'],
    ['invalid pattern', { params: { path: { type: 'string', pattern: '([' } } }, 'command.params.path.pattern'],
    ['negative maxLength', { params: { path: { type: 'string', maxLength: -1 } } }, 'command.params.path.maxLength'],
    ['empty enum', { params: { path: { type: 'string', enum: [] } } }, 'command.params.path.enum'],
    [
      'enum value of wrong type',
      { params: { path: { type: 'string', enum: ['/', 3] } } },
      'command.params.path.enum[1]',
    ],
    [
      'default breaking the pattern',
      { params: { path: { type: 'string', pattern: '^/', default: 'etc' } } },
      'command.params.path.default',
    ],
    ...secretAndDeliveryMistakes(),
    ['bad runsOn', { runsOn: 'everywhere' }, 'command.runsOn'],
    ['bad timeout', { timeout: 'soon' }, 'command.timeout'],
    ['zero timeout', { timeout: 0 }, 'command.timeout'],
  ];
  for (const [what, change, field, message] of bad) {
    test(`rejects ${what} naming ${field}`, () => {
      rejects(() => parseCatalogCommand({ ...diskUsage, ...change }, ADMIN), field, message);
    });
  }

  test('rejects a non-object', () => {
    rejects(() => parseCatalogCommand('df -h', ADMIN, 'commands[2]'), 'commands[2]');
  });
});

/** Rules of the `secret`, `env` and `stdin` keywords (param-delivery.ts). */
function secretAndDeliveryMistakes(): [string, Record<string, unknown>, string, RegExp?][] {
  const path = (extra: Record<string, unknown>) => ({ params: { path: { ...diskUsage.params.path, ...extra } } });
  const hidden = (a: Record<string, unknown>, b: Record<string, unknown>) => ({
    argv: ['dump'],
    params: { a: { type: 'string', ...a }, b: { type: 'string', ...b } },
  });
  return [
    ['secret not a boolean', path({ secret: 'yes' }), 'command.params.path.secret', /true or false/],
    ['secret integer', { params: { path: { type: 'integer', secret: true } } }, 'command.params.path.type', /string/],
    ['secret with a default', path({ secret: true, default: '/' }), 'command.params.path', /default/],
    ['secret with an enum', { params: { path: { type: 'string', secret: true, enum: ['/'] } } }, 'command.params.path'],
    ['env name starting with a digit', hidden({ env: '1X' }, { stdin: true }), 'command.params.a.env', /variable/],
    ['env not a string', hidden({ env: true }, { stdin: true }), 'command.params.a.env'],
    ['env PATH', hidden({ env: 'PATH' }, { stdin: true }), 'command.params.a.env', /runs or loads/],
    ['env LD_PRELOAD', hidden({ env: 'LD_PRELOAD' }, { stdin: true }), 'command.params.a.env', /runs or loads/],
    ['env lower-case ld_library_path', hidden({ env: 'ld_library_path' }, { stdin: true }), 'command.params.a.env'],
    ['env and stdin on one param', hidden({ env: 'A', stdin: true }, { env: 'B' }), 'command.params.a', /not both/],
    ['two params on one variable', hidden({ env: 'A' }, { env: 'A' }), 'command.params.b.env', /a's too/],
    ['two params on stdin', hidden({ stdin: true }, { stdin: true }), 'command.params.b.stdin', /only one/],
    ['an env param in argv too', path({ env: 'DIR' }), 'command.argv[2]', /environment \(DIR\).*cannot be an argument/],
    ['a stdin param in argv too', path({ stdin: true }), 'command.argv[2]', /stdin/],
  ];
}

describe('secret, env and stdin params', () => {
  const login = parseCatalogCommand(
    {
      name: 'login',
      argv: ['login', '--user', '{user}', '--key', '{key}'],
      params: {
        user: { type: 'string' },
        password: { type: 'string', secret: true, env: 'DB_PASSWORD', minLength: 8 },
        otp: { type: 'integer', stdin: true },
        key: { type: 'string', secret: true },
      },
    },
    ADMIN,
  );

  test('are stored with their keywords (the catalog says how each value travels)', () => {
    assert.deepEqual(login.params['password'], { type: 'string', secret: true, env: 'DB_PASSWORD', minLength: 8 });
  });

  test('render to argv, env and stdin, listing the secret values; the schema still applies', () => {
    const args = { user: 'ops', password: 'pa55word', otp: 123456, key: 'k3y' };
    rejects(() => renderInvocation(login, { ...args, key: undefined }), 'args.key', /required/);
    assert.throws(() => renderInvocation(login, { ...args, password: 'short' }), { field: 'args.password' });
    rejects(() => renderInvocation(login, { ...args, otp: '1' }), 'args.otp', /integer/);
    assert.deepEqual(renderInvocation(login, args), {
      argv: ['login', '--user', 'ops', '--key', 'k3y'],
      env: { DB_PASSWORD: 'pa55word' },
      stdin: '123456',
      secrets: ['pa55word', 'k3y'],
    });
  });

  test('a command that has them cannot be rendered to a bare argv (deploy steps pass nothing else)', () => {
    const args = { user: 'ops', password: 'pa55word', otp: 1, key: 'k' };
    rejects(() => renderArgv(login, args, 'steps[0].args'), 'steps[0].args', /secret, env or stdin/);
  });

  test('masking replaces every secret of 4 characters or more, the longest first', () => {
    assert.equal(
      maskSecrets('user=ops pass=pa55word pa55 again pa55word', ['pa55', 'pa55word']),
      'user=ops pass=*** *** again ***',
    );
    assert.equal(maskSecrets('a b abc', ['a', 'abc']), 'a b abc', 'too short to mask without garbling the line');
    assert.equal(maskSecrets('no secret here', []), 'no secret here');
  });
});

describe('renderArgv', () => {
  const disk = parseCatalogCommand(diskUsage, ADMIN);

  test('substitutes each value as exactly one argv element', () => {
    assert.deepEqual(renderArgv(disk, { path: '/var/lib/my_dir' }), ['df', '-h', '/var/lib/my_dir']);
  });

  test('stringifies numbers and booleans and fills defaults', () => {
    const cmd = parseCatalogCommand(
      {
        name: 'ping-host',
        argv: ['ping', '-c', '{count}', '-W', '{wait}', '{host}', '{verbose}'],
        params: {
          count: { type: 'integer', minimum: 1, maximum: 10, default: 3 },
          wait: { type: 'number', minimum: 0 },
          host: { type: 'string', enum: ['a.example', 'b.example'] },
          verbose: { type: 'boolean' },
        },
      },
      ADMIN,
    );
    assert.deepEqual(renderArgv(cmd, { wait: 0.5, host: 'a.example', verbose: false }), [
      'ping',
      '-c',
      '3',
      '-W',
      '0.5',
      'a.example',
      'false',
    ]);
    rejects(() => renderArgv(cmd, { count: 11, wait: 1, host: 'a.example', verbose: true }), 'args.count', />= ?|<= ?/);
    rejects(() => renderArgv(cmd, { wait: 1, host: 'c.example', verbose: true }), 'args.host', /one of "a.example"/);
  });

  test('does not change the caller’s args when filling defaults', () => {
    const cmd = parseCatalogCommand(
      {
        name: 'n',
        argv: ['echo', '{n}'],
        params: { n: { type: 'integer', default: 1 } },
      },
      ADMIN,
    );
    const args = {};
    assert.deepEqual(renderArgv(cmd, args), ['echo', '1']);
    assert.deepEqual(args, {});
    assert.deepEqual(renderArgv(cmd, undefined), ['echo', '1']);
  });

  test('rejects bad args naming args.<param>', () => {
    rejects(() => renderArgv(disk, {}), 'args.path', /required/);
    rejects(() => renderArgv(disk, { path: '/', extra: 1 }), 'args.extra', /not a known property/);
    rejects(() => renderArgv(disk, { path: 'relative' }), 'args.path', /pattern/);
    rejects(() => renderArgv(disk, { path: 5 }), 'args.path', /string/);
    rejects(() => renderArgv(disk, ['/']), 'args', /object/);
    rejects(() => renderArgv(disk, {}, 'jobs[0].params.args'), 'jobs[0].params.args.path', /required/);
  });

  test('does not coerce types: "5" is not an integer', () => {
    const cmd = parseCatalogCommand({ name: 'n', argv: ['echo', '{n}'], params: { n: { type: 'integer' } } }, ADMIN);
    rejects(() => renderArgv(cmd, { n: '5' }), 'args.n', /integer/);
  });

  test('rejects NUL and line breaks even when the schema allows any string', () => {
    const cmd = parseCatalogCommand({ name: 'e', argv: ['echo', '{x}'], params: { x: { type: 'string' } } }, ADMIN);
    for (const value of ['a\nb', 'a\rb', 'a\0b']) rejects(() => renderArgv(cmd, { x: value }), 'args.x', /NUL/);
  });

  test('params written in another key order validate the same way (one cached validator per shape)', () => {
    const a = { name: 'a', argv: ['echo', '{x}', '{y}'], params: { x: { type: 'string' }, y: { type: 'integer' } } };
    const b = { ...a, params: { y: { type: 'integer' }, x: { type: 'string' } } };
    assert.deepEqual(renderArgv(a, { x: 'q', y: 2 }), renderArgv(b, { x: 'q', y: 2 }));
    rejects(() => renderArgv(b, { x: 'q', y: 'two' }), 'args.y');
  });

  test('property: any single-line string becomes exactly one unchanged argument', () => {
    const cmd = parseCatalogCommand(
      {
        name: 'e',
        argv: ['echo', '-n', '{x}', 'end'],
        params: { x: { type: 'string' } },
      },
      ADMIN,
    );
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }).filter((s) => !/[\0\r\n]/.test(s)),
        (x) => {
          assert.deepEqual(renderArgv(cmd, { x }), ['echo', '-n', x, 'end']);
        },
      ),
    );
  });
});
