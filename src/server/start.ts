import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { type Clock, systemClock } from '../core/clock.ts';
import type { Store } from '../core/ports/store.ts';
import { defaultTimeZone } from '../core/schedule/index.ts';
import { Engine } from '../engine/engine.ts';
import { builtinModules } from '../modules/builtin.ts';
import { createModuleRegistry } from '../modules/sdk.ts';
import { openStore } from '../store/open.ts';
import { buildApp } from './app.ts';
import { ensureAdmin } from './bootstrap.ts';
import type { ServerConfig } from './config.ts';
import { createModuleServices } from './module-services.ts';
import { PackageFiles } from './package-files.ts';

export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

export interface RunningServer {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  app: FastifyInstance;
  engine: Engine;
  store: Store;
  /** Path of the admin token written at this start (first start only), else null. */
  adminTokenFile: string | null;
  /** Stops taking requests, lets running server jobs finish or checkpoint within `graceMs`, closes the store. */
  close(graceMs?: number): Promise<void>;
}

/**
 * The composition root: open the store → migrate → modules → engine → HTTP app → listen.
 * `/health` answers only once all of it is up.
 */
export async function startServer(config: ServerConfig, opts: { clock?: Clock } = {}): Promise<RunningServer> {
  const clock = opts.clock ?? systemClock;
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore(config.dbUrl);
  try {
    await store.migrate();
    const modules = createModuleRegistry(builtinModules());
    const defaultTz = defaultTimeZone();
    const engine = new Engine({
      store,
      modules,
      services: createModuleServices(store, clock),
      clock,
      options: { defaultTz },
    });
    const adminTokenFile = await ensureAdmin(store, config.dataDir, clock);
    const logger = pino({ level: config.logLevel });
    const packageFiles = new PackageFiles(join(config.dataDir, 'packages'), config.packageLimit);
    const app = await buildApp({
      store,
      engine,
      modules,
      clock,
      defaultTz,
      logger,
      bodyLimit: config.bodyLimit,
      packageFiles,
    });
    await engine.start();
    try {
      await app.listen({ port: config.port, host: config.host });
    } catch (err) {
      await app.close();
      await engine.stop(0);
      throw err;
    }
    const address = app.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    let closing: Promise<void> | null = null;
    return {
      url: `http://${host}:${address.port}`,
      app,
      engine,
      store,
      adminTokenFile,
      close(graceMs = DEFAULT_SHUTDOWN_GRACE_MS) {
        closing ??= (async () => {
          await app.close();
          await engine.stop(graceMs);
          await store.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
