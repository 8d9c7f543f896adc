// Child process of `npm run bench -- fleet`: the server the simulated clients talk to, in
// the same process layout for both contenders. Mode `taskwarden`: a real server
// (startServer; argv: mode dataDir dbUrl, the bench owns and removes the folder), which also
// answers the bench's questions about runs from its store. Mode `bare`: the ceiling, a bare Fastify answering
// the agent contact with a contact-sized reply (one job, as Taskwarden renders a `command`
// job) and the events call with the events reply, no auth, no database.
//   requests: address → {url, adminToken}; runs {ids} → RunProgress; ended {ids, limitMs} → {} once
//   every run ended (or the limit passed); jobstates {ids} → RunOutcome; connections → ServerConnections
import { readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import Fastify from 'fastify';
import { type RunStatus, TERMINAL_RUN_STATUSES } from '../../src/core/model.ts';
import { DEFAULT_BODY_LIMIT } from '../../src/server/app.ts';
import { DEFAULT_HTTP_LIMITS } from '../../src/server/http-limits.ts';
import { type RunningServer, startServer } from '../../src/server/start.ts';
import { answerParent } from './ipc-child.ts';

export interface RunProgress {
  /** Runs in a terminal status. */
  ended: number;
  /** Jobstates by status, over the runs asked about. */
  jobstates: Record<string, number>;
}

export interface RunOutcome {
  /** Each jobstate's startedAt − preparedAt, in ms (those that started). */
  preparedToRunning: number[];
  /** Jobstates that ended because their agent was lost (counted, never waited for). */
  agentLost: number;
  byStatus: Record<string, number>;
}

/** What the server did with its connections: how many it took, and which it cut and why. */
export interface ServerConnections {
  accepted: number;
  /** Connections Node (or Fastify's handler) closed on a client error, by its code (ERR_HTTP_REQUEST_TIMEOUT: a header or request timeout). */
  clientErrors: Record<string, number>;
  /** Idle keep-alive connections closed at the keep-alive timeout. */
  idleClosed: number;
}

const connections: ServerConnections = { accepted: 0, clientErrors: {}, idleClosed: 0 };

/** Counts what `server` does with its connections; observers only, nothing it does changes. */
function watchConnections(server: Server): void {
  server.on('connection', (socket: Socket) => {
    connections.accepted++;
    socket.on('timeout', () => connections.idleClosed++);
  });
  server.on('clientError', (err: NodeJS.ErrnoException) => {
    const code = err.code ?? err.message;
    connections.clientErrors[code] = (connections.clientErrors[code] ?? 0) + 1;
  });
}

const [mode, dataDir, dbUrl] = process.argv.slice(2) as [string, string, string];

const CONTACT_REPLY = {
  jobs: [
    {
      jobstate: '0193a1f2-7c4e-7b6a-9d2e-3f1c5a7b9e01',
      attempt: 1,
      module: 'command',
      params: { command: 'bench-true' },
      payload: { command: 'bench-true', argv: ['true'], env: {}, timeoutSeconds: 60 },
      timeoutSeconds: 60,
    },
  ],
  stop: [],
  contactSeconds: 60,
  serverTime: new Date().toISOString(),
};

async function startBare(): Promise<{ url: string; adminToken: string }> {
  const app = Fastify();
  app.post('/agent/v1/contact', async () => ({ ...CONTACT_REPLY, serverTime: new Date().toISOString() }));
  app.post('/agent/v1/jobstates/:id/events', async () => ({ applied: 2, lastSeq: 2 }));
  watchConnections(app.server);
  return { url: await app.listen({ host: '127.0.0.1', port: 0 }), adminToken: '' };
}

let taskwarden: RunningServer | null = null;

async function startTaskwarden(): Promise<{ url: string; adminToken: string }> {
  taskwarden = await startServer({
    dataDir,
    dbUrl,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'info', // the server's default (its stdout is a log file: fleet-taskwarden.ts)
    bodyLimit: DEFAULT_BODY_LIMIT,
    // Every simulated agent connects from 127.0.0.1, as a fleet behind one NAT would: no per-address cap.
    httpLimits: { ...DEFAULT_HTTP_LIMITS, maxConnectionsPerAddress: 0 },
  });
  watchConnections(taskwarden.app.server);
  return { url: taskwarden.url, adminToken: (await readFile(taskwarden.adminTokenFile as string, 'utf8')).trim() };
}

/**
 * FLEET_SERVER_CPU_PROF=<folder>: the server profiles itself (V8's CPU profiler) and writes
 * one profile per phase into the folder, each when the bench asks for that phase's outcome
 * (`jobstates`): the bench kills its children, so `node --cpu-prof` would write nothing.
 */
const profileDir = process.env['FLEET_SERVER_CPU_PROF'];
let profiler: Session | null = null;
let profiles = 0;

async function startProfiler(): Promise<void> {
  profiler = new Session();
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}

async function writeProfile(): Promise<void> {
  if (!profiler || !profileDir) return;
  const { profile } = await profiler.post('Profiler.stop');
  await writeFile(join(profileDir, `${mode}-phase-${++profiles}.cpuprofile`), JSON.stringify(profile));
  await profiler.post('Profiler.start');
}

const started = (mode === 'bare' ? startBare() : startTaskwarden()).then(async (address) => {
  if (profileDir) await startProfiler();
  return address;
});
const storeOf = () => (taskwarden as RunningServer).store;

answerParent({
  address: () => started,
  connections: () => connections,
  async runs(message): Promise<RunProgress> {
    const progress: RunProgress = { ended: 0, jobstates: {} };
    for (const id of message['ids'] as string[]) {
      const run = await storeOf().runs.get(id);
      if (run && TERMINAL_RUN_STATUSES.includes(run.status as RunStatus)) progress.ended++;
      for (const [status, n] of Object.entries(await storeOf().jobstates.countsByRun(id)))
        progress.jobstates[status] = (progress.jobstates[status] ?? 0) + Number(n);
    }
    return progress;
  },
  // Told by the engine's run events, the instant the last run ends (a poll would add its period to each run of (c)).
  async ended(message): Promise<Record<string, never>> {
    const { engine } = taskwarden as RunningServer;
    const limitMs = message['limitMs'] as number;
    await Promise.all((message['ids'] as string[]).map((id) => engine.waitForRun(id, limitMs)));
    return {};
  },
  async jobstates(message): Promise<RunOutcome> {
    await writeProfile();
    const outcome: RunOutcome = { preparedToRunning: [], agentLost: 0, byStatus: {} };
    for (const id of message['ids'] as string[]) {
      for (const js of await storeOf().jobstates.allOfRun(id)) {
        if (js.startedAt !== null && js.preparedAt !== null)
          outcome.preparedToRunning.push(js.startedAt - js.preparedAt);
        if (js.reason === 'agent_lost') outcome.agentLost++;
        outcome.byStatus[js.status] = (outcome.byStatus[js.status] ?? 0) + 1;
      }
    }
    return outcome;
  },
});
