import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Server as TlsServer } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { type Clock, describeJump, systemClock } from '../core/clock.ts';
import type { CrashAt, CrashPoint } from '../core/crash-points.ts';
import { skewedClock } from '../core/db-clock.ts';
import type { Store } from '../core/ports/store.ts';
import { defaultTimeZone } from '../core/schedule/index.ts';
import { Engine } from '../engine/engine.ts';
import { DEFAULT_NOTIFY_OPTIONS } from '../engine/notify/delivery-loop.ts';
import { loadModules } from '../modules/load.ts';
import { createModuleRegistry } from '../modules/sdk/index.ts';
import { openStore } from '../store/open.ts';
import { buildApp } from './app.ts';
import { ensureAdmin } from './bootstrap.ts';
import type { ServerConfig } from './config.ts';
import { looseDataFolderWarnings, writeServerFile } from './data-folder.ts';
import { seedGlobalDefaults } from './global-defaults.ts';
import { LISTEN_BACKLOG } from './http-limits.ts';
import { localProcesses } from './local-processes.ts';
import { createModuleServices } from './module-services.ts';
import { fixedNodeClock, type NodeClock, nodeIdentity, startNodeClock } from './node.ts';
import { WebhookGuard } from './notify/allow-list.ts';
import { ServerNotifier } from './notify/notifier.ts';
import { PackageFiles } from './package-files.ts';
import { storeBackups } from './store-backups.ts';
import { readTlsFiles, reloadTls } from './tls.ts';

export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
/** Kept out of the running chunks' grace: closing the store after them. */
const STORE_CLOSE_RESERVE_MS = 1_000;

export interface RunningServer {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  app: FastifyInstance;
  engine: Engine;
  store: Store;
  /** Path of the admin token written at this start (first start only), else null. */
  adminTokenFile: string | null;
  /** Reads the TLS certificate and key again (SIGHUP); a bad pair throws and the old one stays. No-op over HTTP. */
  reloadTls(): Promise<void>;
  /** Stops taking requests, lets running server jobs finish or checkpoint, closes the store: all within about `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

/**
 * The composition root: open the store → migrate → clock → modules → engine → HTTP app →
 * listen → start the engine (recover and resume jobs). `/health` answers once the app
 * listens; the engine starts right after. The clock is `opts.clock` when given
 * (tests), else the system clock — synced to the database clock on a store that has one.
 */
export async function startServer(config: ServerConfig, opts: { clock?: Clock } = {}): Promise<RunningServer> {
  // First: a broken module package stops the start before anything is opened or written.
  const modules = createModuleRegistry(await loadModules({ list: config.modules, testModules: config.testModules }));
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const logger = pino({ level: config.logLevel });
  for (const warning of await looseDataFolderWarnings(config.dataDir)) logger.warn(warning);
  const tls = config.tls ? await readTlsFiles(config.tls) : undefined;
  const store = await openStore(config.dbUrl, { lockTimeoutMs: config.dbLockTimeoutMs });
  let nodeClock: NodeClock | null = null;
  try {
    await store.migrate();
    const base = config.testClockSkewMs ? skewedClock(systemClock, config.testClockSkewMs) : systemClock;
    const onJump = (ms: number) =>
      logger.warn(`this machine's clock jumped ${describeJump(ms)}; the node keeps to the database's time`);
    nodeClock = opts.clock ? fixedNodeClock(opts.clock) : await startNodeClock(store, base, onJump);
    const { clock } = nodeClock;
    const defaultTz = defaultTimeZone();
    const packageFiles = new PackageFiles(join(config.dataDir, 'packages'), config.packageLimit);
    const backups = storeBackups(config, clock);
    const notifications = config.notifications;
    const webhooks = new WebhookGuard(notifications?.webhooks.allow ?? null);
    const notifier = new ServerNotifier({
      guard: webhooks,
      smtp: notifications?.smtp ?? null,
      publicUrl: notifications?.publicUrl ?? null,
      timeoutMs: DEFAULT_NOTIFY_OPTIONS.timeoutMs,
    });
    const engine = new Engine({
      store,
      modules,
      services: createModuleServices(store, { clock, packageFiles, backups }),
      clock,
      options: {
        defaultTz,
        ...(config.catchUpPerSecond ? { catchUpPerSecond: config.catchUpPerSecond } : {}),
        ...(config.agentGraceMs ? { agentGraceMs: config.agentGraceMs } : {}),
      },
      node: { ...nodeIdentity(), clockOffsetMs: nodeClock.offsetMs },
      processes: localProcesses(),
      ...(config.testCrashAt ? { crashAt: crashAtPoint(config.testCrashAt) } : {}),
      log: { warn: (message) => logger.warn(message), info: (message) => logger.info(message) },
      notifier,
      notifyOptions: notifications?.delivery,
    });
    const adminTokenFile = await ensureAdmin(store, config.dataDir, clock);
    await seedGlobalDefaults({ store, engine, modules, clock, defaultTz });
    const app = await buildApp({
      store,
      engine,
      modules,
      clock,
      defaultTz,
      logger,
      bodyLimit: config.bodyLimit,
      packageFiles,
      backups,
      fusionInventoryPath: config.fusionInventoryPath,
      limits: config.httpLimits,
      trustProxy: config.trustProxy,
      webhooks,
      publicUrl: config.publicUrl,
      tls,
    });
    let url: string;
    try {
      // The agent long-polls' subscription to other nodes' wakes is in place before the first one waits.
      await store.signals?.ready();
      await app.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG });
      const address = app.server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      url = `${tls ? 'https' : 'http'}://${host}:${address.port}`;
      await writeServerFile(config.dataDir, url, config.publicUrl);
      notifier.settings.publicUrl ??= config.publicUrl ?? url;
      // Only once it listens does it resume work: whatever a job left behind, /health, the
      // API and its cancel answer first (a job that froze the node must not freeze its restart).
      await engine.start();
    } catch (err) {
      await app.close();
      await engine.stop(0);
      throw err;
    }
    let closing: Promise<void> | null = null;
    const { stop: stopClock } = nodeClock;
    return {
      url,
      app,
      engine,
      store,
      adminTokenFile,
      async reloadTls() {
        if (config.tls) await reloadTls(app.server as unknown as TlsServer, config.tls);
      },
      close(graceMs = DEFAULT_SHUTDOWN_GRACE_MS) {
        closing ??= (async () => {
          const until = performance.now() + graceMs;
          await app.close();
          // The running chunks get what is left of the grace, less the time to close the store.
          await engine.stop(Math.max(0, until - performance.now() - STORE_CLOSE_RESERVE_MS));
          await stopClock();
          await store.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await nodeClock?.stop();
    await store.close();
    throw err;
  }
}

/** Test only (TASKWARDEN_TEST_CRASH_AT): this process dies by SIGKILL, as by kill -9, at `configured`. */
function crashAtPoint(configured: CrashPoint): CrashAt {
  return (point) => {
    if (point === configured) process.kill(process.pid, 'SIGKILL');
  };
}
