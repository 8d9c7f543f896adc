import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Clock } from '../core/clock.ts';
import type { ModuleRegistry, StoreBackups } from '../core/ports/module.ts';
import type { Store } from '../core/ports/store.ts';
import type { Engine } from '../engine/engine.ts';
import { installAccessLog } from './access-log.ts';
import { installAuth } from './auth.ts';
import { installConnectionCap } from './connection-cap.ts';
import type { ServerContext } from './context.ts';
import { installErrorHandling } from './errors.ts';
import { EventHub } from './event-hub.ts';
import { installHeaderTimeout } from './header-timeout.ts';
import { DEFAULT_HTTP_LIMITS, type HttpLimits, installBodyTimeouts, serverTimeouts } from './http-limits.ts';
import { installJsonOnly } from './json-body.ts';
import { SchedulerMetrics } from './metrics.ts';
import { WebhookGuard } from './notify/allow-list.ts';
import { installOperationDocs, OPENAPI_COMPONENTS } from './openapi/index.ts';
import type { PackageFiles } from './package-files.ts';
import { DOCS_PREFIX, installRouteAuthCheck } from './route-auth.ts';
import { agentFileRoutes } from './routes/agent-files.ts';
import { agentProtocolRoutes } from './routes/agent-protocol.ts';
import { agentRoutes } from './routes/agents.ts';
import { calendarRoutes } from './routes/calendars.ts';
import { channelRoutes } from './routes/channels.ts';
import { commandRoutes } from './routes/commands.ts';
import { deviceRoutes } from './routes/devices.ts';
import { enrolmentTokenRoutes } from './routes/enrolment-tokens.ts';
import { eventRoutes } from './routes/events.ts';
import { fusionInventoryRoutes } from './routes/fusioninventory/index.ts';
import { globalTaskRoutes } from './routes/global-tasks.ts';
import { healthRoutes } from './routes/health.ts';
import { inventoryRoutes } from './routes/inventory.ts';
import { jobstateRoutes } from './routes/jobstates.ts';
import { ledgerRoutes } from './routes/ledger.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { moduleRoutes } from './routes/modules.ts';
import { nodeRoutes } from './routes/nodes.ts';
import { orgRoutes } from './routes/orgs.ts';
import { packageRoutes } from './routes/packages.ts';
import { relaunchRoutes } from './routes/relaunch.ts';
import { reportRoutes } from './routes/reports.ts';
import { rolloutRoutes } from './routes/rollouts.ts';
import { runRoutes } from './routes/runs.ts';
import { scheduleRoutes } from './routes/schedules.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { summaryRoutes } from './routes/summary.ts';
import { taskRoutes } from './routes/tasks.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { userRoutes } from './routes/users.ts';
import { docsContentSecurityPolicy, installSecurityHeaders } from './security-headers.ts';
import { responseSerializersOnFirstUse } from './serialization.ts';
import { installWebUi } from './static.ts';
import { type DeferredCompiles, installCompileAll, installValidation } from './validation.ts';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * Which peers are reverse proxies whose X-Forwarded-Proto/-Host/-For are believed: every
 * peer (`true`), or those addresses and CIDR ranges (`loopback`, `linklocal`, `uniquelocal`
 * too). Off by default: a client could otherwise claim https or another address.
 */
export type TrustProxy = true | string[];

export interface AppDeps {
  store: Store;
  engine: Engine;
  modules: ModuleRegistry;
  clock: Clock;
  defaultTz: string;
  /** A pino logger; omitted = silent (tests). */
  logger?: FastifyBaseLogger;
  bodyLimit?: number;
  /** Folder of the built web UI served at `/`; default web/dist. */
  webRoot?: string;
  /** Where uploaded packages are kept; without it package uploads and downloads answer 503. */
  packageFiles?: PackageFiles;
  /** The store's online backup (the `backup` module's); absent = tasks using the module are refused. */
  backups?: StoreBackups;
  /** URL path of the FusionInventory agents' endpoint; default /plugins/fusioninventory/. */
  fusionInventoryPath?: string;
  /** Timeouts, connection and stream caps, login throttling, JSON depth; default DEFAULT_HTTP_LIMITS. */
  limits?: Partial<HttpLimits>;
  /** Behind a reverse proxy (TLS terminated there): which proxies to believe; default none. */
  trustProxy?: TrustProxy | undefined;
  /** Where webhooks may go; default: anywhere but loopback, link-local and metadata addresses. */
  webhooks?: WebhookGuard;
  /** The URL agents and browsers reach the server at; absent = the URL each request came to. */
  publicUrl?: string | undefined;
  /** HTTPS with this PEM certificate and key; absent = plain HTTP. */
  tls?: { cert: Buffer; key: Buffer } | undefined;
}

/**
 * The HTTP app: REST API under /api/v1, OpenAPI docs at /api/docs, /health, /metrics and the web UI at /.
 * Nothing here starts or stops the engine or the store; startServer does (start.ts).
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...deps.limits };
  const timeouts = serverTimeouts(limits);
  const deferred: DeferredCompiles = [];
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
    ...timeouts,
    // The https server takes the http server's options too (the timeouts).
    ...(deps.tls ? { https: { ...timeouts.http, ...deps.tls } } : {}),
    trustProxy: deps.trustProxy ?? false,
    // One line per request from the onResponse hook below instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    schemaController: responseSerializersOnFirstUse(deferred),
  }).withTypeProvider<TypeBoxTypeProvider>();

  installConnectionCap(app.server, limits.maxConnectionsPerAddress, app.log);
  installHeaderTimeout(app.server, limits.headersTimeoutMs, app.log);
  installBodyTimeouts(app, limits);
  installRouteAuthCheck(app);
  installValidation(app, deferred);
  installCompileAll(app, deferred);
  installJsonOnly(app, limits.jsonMaxDepth);
  installErrorHandling(app);
  await installSecurityHeaders(app);
  await app.register(fastifyCookie);
  installAuth(app, deps);
  installAccessLog(app);

  installOperationDocs(app);
  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Taskwarden API', version: '1' },
      components: OPENAPI_COMPONENTS,
      security: [{ bearer: [] }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: DOCS_PREFIX, transformStaticCSP: docsContentSecurityPolicy });

  const events = new EventHub(deps.engine, deps.store, app.log);
  const metrics = new SchedulerMetrics(deps.engine);
  const closing = new AbortController();
  app.addHook('preClose', async () => {
    closing.abort();
    events.close();
  });
  app.addHook('onClose', async () => metrics.close());
  const webhooks = deps.webhooks ?? new WebhookGuard(null);
  const ctx: ServerContext = { ...deps, limits, events, metrics, closing: closing.signal, webhooks };

  for (const routes of [
    healthRoutes,
    sessionRoutes,
    orgRoutes,
    userRoutes,
    tokenRoutes,
    agentProtocolRoutes,
    agentFileRoutes,
    agentRoutes,
    inventoryRoutes,
    deviceRoutes,
    packageRoutes,
    enrolmentTokenRoutes,
    commandRoutes,
    channelRoutes,
    calendarRoutes,
    globalTaskRoutes,
    moduleRoutes,
    taskRoutes,
    runRoutes,
    relaunchRoutes,
    rolloutRoutes,
    jobstateRoutes,
    ledgerRoutes,
    scheduleRoutes,
    summaryRoutes,
    reportRoutes,
    eventRoutes,
    metricsRoutes,
    nodeRoutes,
    fusionInventoryRoutes,
  ]) {
    await app.register(routes, ctx);
  }
  await installWebUi(app, deps.webRoot);
  await app.ready();
  return app;
}
