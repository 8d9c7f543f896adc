// Child process of `npm run bench -- fleet`: simulated clients, the same code against the
// Taskwarden server (mode `agents`) and against the bare Fastify of the ceiling (mode
// `ceiling`). Each client holds one keep-alive connection of its own (its own http.Agent,
// one socket, as a real agent process has) and loops: contact → one events
// call per job it got (started + finished at once) → contact again. Agents enrol first and
// long-poll (wait 30 s); the ceiling's server answers every contact at once, with one job.
// Clients connect in waves (agents: by their enrolment, 50 at once per process; the
// ceiling's: by their first contact, wait 0), each wave answered before the next one
// starts: thousands of connections opened in the same millisecond would overflow the listen
// backlog, a measure of the kernel rather than of the server. They loop only once every
// client of every process is connected (`go`): a loop started early would slow the
// connection of the next waves down, by as much as the server is saturated.
//   argv: mode base count prefix requestLimitMs wave logLines [enrolment token]
//   requests: connect → {stats} once every client had its first answer; go → {} the loops
//   start; snapshot {takeHolds} → {stats, holds}: `holds` are the instants (ms) jobs reached
//   a client, since the last take.
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { emptyClientStats } from './fleet-clients.ts';
import { answerParent } from './ipc-child.ts';

export interface ClientStats {
  /** Answered HTTP requests (contacts and events calls). */
  requests: number;
  contacts: number;
  jobs: number;
  errors: number;
  /** Requests sent again because their reused keep-alive connection was closed under them. */
  staleSocketRetries: number;
  /** Connections this process opened (the first of each client, then one per connection lost). */
  connectionsOpened: number;
  /** `errors` by what failed: "<request> <phase> <error code or HTTP status> <fresh|reused connection>". */
  errorsBy: Record<string, number>;
}

/** A client's error, with what the bench needs to tell its causes apart. */
type RequestError = Error & { code?: string; staleSocket?: boolean; reusedSocket?: boolean; status?: number };

const LONG_POLL_SECONDS = 30;
const CAPACITY = 10;
const ENROL_AT_ONCE = 50;
const PRINTED_ERRORS = 5;

const [mode, base, countText, prefix, limitText, waveText, logLinesText, token] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string?,
];
/** stdout lines each job's events call carries between its start and its end. */
const LOG_LINES = Number(logLinesText);
/** Clients of this process connecting at once (the fleet's connections in flight ÷ its processes). */
const WAVE = Number(waveText);
/**
 * A request not answered within this is an error (then the client contacts again). The
 * bench's own limit: a saturated server answers each of N clients every N ÷ its rate seconds.
 */
const REQUEST_LIMIT_MS = Math.max(Number(limitText), (LONG_POLL_SECONDS + 30) * 1000);
const server = new URL(base);
const wait = mode === 'agents' ? LONG_POLL_SECONDS : 0;
const stats: ClientStats = emptyClientStats();
/** 'connect' until every client of every process had its first answer (`go`), then 'loop'. */
let phase: 'connect' | 'loop' = 'connect';
let holds: number[] = [];

/**
 * A simulated agent: its credential and its one connection. Not one Agent shared by every
 * client of the process: a shared pool hands a client whichever socket is free, keeps at
 * most 256 free ones (maxFreeSockets) and opens new ones for the rest, so the connect
 * waves opened a fraction of the connections and the loops' start opened thousands at once.
 */
interface Client {
  credential: string;
  connection: http.Agent;
}

const connectionOf = () => new http.Agent({ keepAlive: true, maxSockets: 1 });

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: replies are read field by field
  json: any;
}

/**
 * POST on a keep-alive connection. A reused connection the server closed as idle just as
 * the request went out fails with ECONNRESET before any answer: the request is sent again
 * on a new connection, as HTTP clients do (Node's http docs), and counted apart, not as an error.
 */
async function post(connection: http.Agent, path: string, body: unknown, bearer?: string): Promise<Answer> {
  const payload = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  };
  if (bearer) headers['authorization'] = `Bearer ${bearer}`;
  try {
    return await send(connection, path, payload, headers);
  } catch (err) {
    if (!(err as RequestError).staleSocket) throw err;
    stats.staleSocketRetries++;
    return await send(connection, path, payload, headers);
  }
}

function send(
  agent: http.Agent,
  path: string,
  payload: string,
  headers: Record<string, string | number>,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const options = { host: server.hostname, port: server.port, path, method: 'POST', agent, headers };
    const request = http.request({ ...options, timeout: REQUEST_LIMIT_MS }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        stats.requests++;
        const text = Buffer.concat(chunks).toString();
        try {
          resolve({ status: response.statusCode ?? 0, json: text ? JSON.parse(text) : null });
        } catch (err) {
          reject(err);
        }
      });
    });
    request.on('timeout', () => request.destroy(new Error(`no answer to ${path} within ${REQUEST_LIMIT_MS} ms`)));
    request.once('socket', () => {
      if (!request.reusedSocket) stats.connectionsOpened++;
    });
    request.on('error', (err: RequestError) => {
      err.reusedSocket = request.reusedSocket;
      err.staleSocket = request.reusedSocket && err.code === 'ECONNRESET';
      reject(err);
    });
    request.end(payload);
  });
}

/** One contact and the events of the jobs it brought; an error is counted, then the client goes on. */
async function exchange({ credential, connection }: Client, waitSeconds: number): Promise<void> {
  let what = 'contact';
  try {
    const body = { version: 'bench', modules: ['command'], running: [], wait: waitSeconds, capacity: CAPACITY };
    const contact = await post(connection, '/agent/v1/contact', body, credential);
    stats.contacts++;
    if (contact.status !== 200) throw httpError('contact', contact);
    const jobs = contact.json.jobs as { jobstate: string; attempt: number }[];
    const now = Date.now();
    for (const _ of jobs) holds.push(now);
    what = 'events';
    for (const job of jobs) {
      const lines = Array.from({ length: LOG_LINES }, (_, i) => ({
        seq: i + 2,
        ts: now,
        type: 'log',
        stream: 'stdout',
        line: `line ${i + 1} of the job's output`,
      }));
      const events = [
        { seq: 1, ts: now, type: 'started' },
        ...lines,
        { seq: LOG_LINES + 2, ts: now, type: 'finished', result: { exitCode: 0 } },
      ];
      const reply = await post(
        connection,
        `/agent/v1/jobstates/${job.jobstate}/events`,
        { attempt: job.attempt, events },
        credential,
      );
      if (reply.status !== 200) throw httpError('events', reply);
      stats.jobs++;
    }
  } catch (err) {
    countError(err as RequestError, what);
    await sleep(200);
  }
}

function httpError(what: string, answer: Answer): RequestError {
  return Object.assign(new Error(`${what}: HTTP ${answer.status} ${JSON.stringify(answer.json)}`), {
    status: answer.status,
  });
}

function countError(err: RequestError, what: string): void {
  const cause = err.status ? `HTTP ${err.status}` : (err.code ?? err.message);
  const connection = err.reusedSocket ? 'reused' : 'fresh';
  const key = `${what} ${phase} ${cause} ${err.status ? '' : connection}`.trim();
  stats.errorsBy[key] = (stats.errorsBy[key] ?? 0) + 1;
  if (stats.errors++ < PRINTED_ERRORS) process.stderr.write(`fleet client ${prefix}: ${key}: ${err.message}\n`);
}

async function loop(client: Client): Promise<void> {
  for (;;) await exchange(client, wait);
}

/** A client of the ceiling (which takes any credential), or an enrolled agent: its enrolment opens its connection. */
async function clientOf(i: number): Promise<Client> {
  const connection = connectionOf();
  if (mode !== 'agents') return { credential: `ceiling.${prefix}-${i}`, connection };
  const body = { token, deviceId: `${prefix}-${i}`, modules: ['command'] };
  const reply = await post(connection, '/agent/v1/enrol', body);
  if (reply.status >= 300) throw new Error(`enrol ${i}: HTTP ${reply.status} ${JSON.stringify(reply.json)}`);
  return { credential: `${reply.json.agentId}.${reply.json.secret}`, connection };
}

async function inBatches<T>(count: number, size: number, each: (i: number) => Promise<T>): Promise<T[]> {
  const all: T[] = [];
  for (let i = 0; i < count; i += size)
    all.push(...(await Promise.all(Array.from({ length: Math.min(size, count - i) }, (_, j) => each(i + j)))));
  return all;
}

let clients: Client[] = [];

answerParent({
  async connect() {
    const count = Number(countText);
    clients = await inBatches(count, ENROL_AT_ONCE, clientOf);
    await inBatches(count, WAVE, (i) => exchange(clients[i] as Client, 0));
    return { stats };
  },
  go() {
    phase = 'loop';
    for (const client of clients) void loop(client);
    return {};
  },
  snapshot(message) {
    const taken = message['takeHolds'] ? holds : [];
    if (message['takeHolds']) holds = [];
    return { stats, holds: taken };
  },
});
