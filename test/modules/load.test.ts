// Third-party module packages (TASKWARDEN_MODULES, the `modules` setting): loaded from a
// package folder, a module file or a package name, each definition checked at start; a
// broken one is refused with a message naming the entry. Modules written outside the
// repository, with no node_modules of their own, import `taskwarden/sdk` and get this
// process's SDK (one ValidationError class: a bad param is a 400, not a 500).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadModules, parseModuleList } from '../../src/modules/load.ts';
import { createModuleRegistry, ValidationError } from '../../src/modules/sdk/index.ts';

const EXAMPLE = resolve(import.meta.dirname, '../../examples/modules/disk-usage');

const MODULE = (name: string, extra = '') => `import { defineModule, ValidationError } from 'taskwarden/sdk';
export default defineModule({
  name: ${JSON.stringify(name)}, title: 'Outside', runsOn: 'server',
  paramsSchema: { type: 'object', properties: { n: { type: 'integer' } } },
  parseParams(params, field) {
    if (params.n === 13) throw new ValidationError(field + '.n', 'unlucky');
    return params;
  },
  execute: async () => ({ done: true, ok: true }),
  ${extra}
});
`;

describe('module packages', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tw-modules-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function file(path: string, text: string): Promise<string> {
    const full = join(dir, path);
    await mkdir(join(full, '..'), { recursive: true });
    await writeFile(full, text);
    return full;
  }

  const load = (value: string) => loadModules({ list: parseModuleList(value, 'TASKWARDEN_MODULES', dir) });

  test('the example package folder, a module file outside the repository and a package name load', async () => {
    await file('outside/module.mjs', MODULE('outside'));
    await file(
      'node_modules/@acme/taskwarden-module-x/package.json',
      '{"type":"module","exports":{".":{"import":"./x.js"}}}',
    );
    await file('node_modules/@acme/taskwarden-module-x/x.js', MODULE('acme-x'));
    const modules = await load(`${EXAMPLE}, ./outside/module.mjs ,@acme/taskwarden-module-x`);
    const names = modules.map((m) => m.name);
    assert.deepEqual(names.slice(-3), ['disk-usage', 'outside', 'acme-x']);
    assert.ok(names.includes('command') && !names.includes('noop'), names.join());
    const registry = createModuleRegistry(modules);
    // The outside module's ValidationError is this process's class: the API answers 400 with it.
    assert.throws(
      () => registry.get('outside')?.parseParams({ n: 13 }, 'jobs[0].params'),
      (err: unknown) => err instanceof ValidationError && err.field === 'jobs[0].params.n',
    );
    assert.deepEqual(registry.get('disk-usage')?.parseParams({}, 'p'), { path: '/', maxPercent: 90 });
  });

  test('a broken package is refused with one line naming it', async () => {
    const cases: [string, string, RegExp][] = [
      ['no-name.mjs', MODULE(''), /no-name\.mjs: cannot be loaded \(module name "" must be/],
      [
        'bad-schema.mjs',
        MODULE('bad-schema', "paramsSchema: { type: 'object', propertys: {} },"),
        /bad-schema\.mjs: cannot be loaded \(module bad-schema: paramsSchema is not a valid JSON schema/,
      ],
      [
        'no-agent.mjs',
        "export default { name: 'no-agent', title: 'X', runsOn: 'agent', paramsSchema: { type: 'object' }, parseParams: (p) => p };",
        /no-agent\.mjs: module no-agent: runsOn "agent" needs an agent half/,
      ],
      [
        'raw.mjs',
        "export default { name: 'raw', title: 'X', runsOn: 'server', paramsSchema: { type: 'object' }, execute() {} };",
        /raw\.mjs: module raw: not made by defineModule/,
      ],
      [
        'taken.mjs',
        MODULE('command'),
        /taken\.mjs: module name "command" is already taken by the built-in module command/,
      ],
      ['throws.mjs', "throw new Error('boom at import');", /throws\.mjs: cannot be loaded \(boom at import\)/],
      ['syntax.mjs', 'export default {', /syntax\.mjs: cannot be loaded/],
      ['nothing.mjs', 'export const x = 1;', /nothing\.mjs: exports no module/],
    ];
    for (const [name, text, message] of cases) {
      await file(name, text);
      await assert.rejects(load(`./${name}`), (err: unknown) => {
        assert.ok(err instanceof ValidationError, String(err));
        assert.match(err.message, /^TASKWARDEN_MODULES: /);
        assert.match(err.message, message);
        assert.doesNotMatch(err.message, /\n/);
        return true;
      });
    }
    await assert.rejects(load('./missing-folder'), /missing-folder: no such file or folder/);
    await assert.rejects(load('@acme/not-installed'), /@acme\/not-installed: package not found/);
    await file('twice.mjs', MODULE('twice'));
    await assert.rejects(load('./twice.mjs,./twice.mjs'), /module name "twice" is already taken by \.\/twice\.mjs/);
  });
});
