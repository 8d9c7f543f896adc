// Catalog parameters can never inject into a command line: each value is one argv element,
// nothing goes through a shell. Proved with real programs printing what they received.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { commandModule } from '../../src/modules/command/index.ts';
import type { CommandParams } from '../../src/modules/command/schema.ts';
import { catalogEntry, catalogService } from './command-catalog.ts';
import { jobContext } from './job-context.ts';

const catalog = [
  // Prints the arguments it got as JSON; "--" ends node's own options so "--help" reaches the script.
  catalogEntry({
    name: 'show-args',
    argv: ['node', '-e', 'console.log(JSON.stringify(process.argv.slice(1)))', '--', '{x}'],
    params: { x: { type: 'string' } },
  }),
  catalogEntry({ name: 'echo-it', argv: ['echo', '{x}'], params: { x: { type: 'string' } } }),
  catalogEntry({
    name: 'show-unit',
    argv: ['echo', '{unit}'],
    params: { unit: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9@._-]*$' } },
  }),
];

async function runCommand(command: string, args: Record<string, unknown>) {
  const { commands } = catalogService(catalog);
  const params = commandModule.parseParams({ command, args }, 'params');
  const { ctx, logs } = jobContext<CommandParams>(params, { services: { commands } });
  const outcome = await commandModule.execute!(ctx);
  return { outcome, logs, stdout: logs.filter((l) => l.stream === 'stdout').map((l) => l.line) };
}

const dir = mkdtempSync(join(tmpdir(), 'taskwarden-injection-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('command parameters cannot inject', () => {
  const hostile = [
    '; rm -rf /',
    '$(id)',
    '`id`',
    '| cat /etc/passwd',
    '&& reboot',
    '-rf',
    '--help',
    'a b "c" \'d\'',
    '*',
    '~',
    '$HOME',
    '',
  ];
  for (const value of hostile) {
    test(`the program receives ${JSON.stringify(value)} as one literal argument`, async () => {
      const { outcome, stdout } = await runCommand('show-args', { x: value });
      assert.equal(outcome.done && outcome.ok, true);
      assert.deepEqual(stdout, [JSON.stringify([value])]);
    });
  }

  test('no shell is involved: $(touch …), `touch …` and ; touch … create nothing', async () => {
    for (const [i, template] of ['$(touch %)', '`touch %`', '; touch %', '| touch %'].entries()) {
      const target = join(dir, `pwned-${i}`);
      const value = template.replace('%', target);
      const { outcome, stdout } = await runCommand('echo-it', { x: value });
      assert.equal(outcome.done && outcome.ok, true);
      assert.deepEqual(stdout, [value]);
      assert.equal(existsSync(target), false, `${value} created ${target}`);
    }
  });

  test('a value with a line break or NUL is refused and nothing runs', async () => {
    for (const value of ['a\nb', 'a\r\nb', 'a\0b']) {
      const { outcome, logs } = await runCommand('show-args', { x: value });
      assert.equal(outcome.done && outcome.reason, 'module_failed');
      assert.deepEqual(
        logs.map((l) => l.line),
        ['command "show-args": args.x: must not contain NUL or line-break characters'],
      );
    }
  });

  test("a leading dash is refused when the param's pattern forbids it", async () => {
    for (const value of ['-rf', '--help']) {
      const { outcome, logs } = await runCommand('show-unit', { unit: value });
      assert.equal(outcome.done && outcome.reason, 'module_failed');
      assert.match(logs[0]?.line ?? '', /args\.unit: must match pattern/);
    }
    assert.deepEqual((await runCommand('show-unit', { unit: 'cups.service' })).stdout, ['cups.service']);
  });
});
