import type { Clock } from '../core/clock.ts';
import type { ModuleRegistry, StoreBackups } from '../core/ports/module.ts';
import type { Store } from '../core/ports/store.ts';
import type { Engine } from '../engine/engine.ts';
import type { EventHub } from './event-hub.ts';
import type { HttpLimits } from './http-limits.ts';
import type { SchedulerMetrics } from './metrics.ts';
import type { WebhookGuard } from './notify/allow-list.ts';
import type { PackageFiles } from './package-files.ts';

/** What route handlers work with: the ports, the engine facade, and the server's shared parts. */
export interface ServerContext {
  store: Store;
  engine: Engine;
  modules: ModuleRegistry;
  clock: Clock;
  /** Zone of schedules that name none. */
  defaultTz: string;
  events: EventHub;
  metrics: SchedulerMetrics;
  /** Aborted when the server begins to close: long waits give up so shutdown is not held. */
  closing: AbortSignal;
  limits: HttpLimits;
  /** Where webhooks may go: channels naming anything else are refused (400 naming `url`). */
  webhooks: WebhookGuard;
  /** Uploaded package content; absent when the server has no data folder (some tests). */
  packageFiles?: PackageFiles | undefined;
  /** The store's online backup (the `backup` module's); absent = tasks using the module are refused. */
  backups?: StoreBackups | undefined;
  /** URL path of the FusionInventory agents' endpoint; default /plugins/fusioninventory/. */
  fusionInventoryPath?: string | undefined;
  /** The URL agents and browsers reach the server at (`publicUrl`); absent = the URL each request came to. */
  publicUrl?: string | undefined;
}
