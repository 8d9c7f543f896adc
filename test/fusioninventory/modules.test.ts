// Which modules a FusionInventory agent carries: those with a FusionInventory hook, built-in
// or registered by a package, never a fixed list of names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { builtinModules } from '../../src/modules/builtin.ts';
import { createModuleRegistry, defineModule } from '../../src/modules/sdk/index.ts';
import { fusionInventoryModules } from '../../src/server/fusioninventory/agents.ts';

const thirdParty = (name: string, hooked: boolean) =>
  defineModule({
    name,
    title: name,
    icon: '•',
    description: name,
    runsOn: 'agent',
    paramsSchema: { type: 'object' },
    agent: { run: async () => ({ ok: true }) },
    ...(hooked ? { fusionInventory: { prolog: () => ({ lines: [] }) } } : {}),
  });

test('the built-in modules with a FusionInventory hook are the ones a FusionInventory agent carries', () => {
  const names = fusionInventoryModules(createModuleRegistry(builtinModules())).sort();
  assert.deepEqual(names, ['deploy', 'inventory', 'netdiscovery', 'wakeonlan-relay']);
});

test('a module registered with a FusionInventory hook is carried, one without is not', () => {
  const registry = createModuleRegistry([thirdParty('hooked', true), thirdParty('plain', false)]);
  assert.deepEqual(fusionInventoryModules(registry), ['hooked']);
});
