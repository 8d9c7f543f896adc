import type { ModuleDefinition } from '../core/ports/module.ts';
import { backupModule } from './backup/index.ts';
import { commandModule } from './command/index.ts';
import { deployModule } from './deploy/index.ts';
import { housekeepingModule } from './housekeeping/index.ts';
import { inventoryModule } from './inventory/index.ts';
import { netdiscoveryModule } from './netdiscovery/index.ts';
import { noop, noopSerial } from './noop/index.ts';
import { wakeonlanModule, wakeonlanRelayModule } from './wakeonlan/index.ts';

/** Every module that ships with Taskwarden; the server registers these (and any third-party ones). */
export function builtinModules(): ModuleDefinition[] {
  return [
    commandModule,
    housekeepingModule,
    noop,
    noopSerial,
    inventoryModule,
    wakeonlanModule,
    wakeonlanRelayModule,
    deployModule,
    netdiscoveryModule,
    backupModule,
  ];
}
