import { TaskwardenError, ValidationError } from '../core/errors.ts';
import { compileSchema, type SchemaValidator } from '../core/json-schema.ts';
import type { ContactBody, ContactReply, EnrolBody, EnrolReply, EventsBody, EventsReply } from '../protocol/agent.ts';
import { AGENT_JSON_SCHEMAS } from '../protocol/agent-json-schemas.ts';
import { HttpClient } from './http.ts';

/**
 * The agent protocol's client (`/agent/v1`), used by the agent runtime. Replies are checked
 * against the protocol schemas: to the agent, the server's answer is outside input too.
 */

const AGENT_API = '/agent/v1';
/** Time a reply may take beyond the long-poll wait the agent asked for. */
const LONG_POLL_MARGIN_MS = 15_000;

export interface AgentCredential {
  agentId: string;
  secret: string;
}

/** What became of a batch of events: 409 and 410 are answers the agent acts on, not failures. */
export type EventsResult =
  | { status: 'applied'; applied: number; lastSeq: number }
  /** 409: the events are for an older attempt; the job must stop and its events be dropped. */
  | { status: 'stale' }
  /** 410: the jobstate was cancelled or has ended; the job must stop. */
  | { status: 'gone' };

export class AgentClient {
  readonly server: string;
  private readonly http: HttpClient;
  private readonly credential: AgentCredential | undefined;

  constructor(opts: { server: string; credential?: AgentCredential; timeoutMs?: number }) {
    this.credential = opts.credential;
    this.http = new HttpClient({
      server: opts.server,
      token: opts.credential && bearerOf(opts.credential),
      timeoutMs: opts.timeoutMs ?? 30_000,
    });
    this.server = this.http.server;
  }

  async enrol(body: EnrolBody, signal?: AbortSignal): Promise<EnrolReply> {
    const reply = await this.http.request<unknown>('POST', `${AGENT_API}/enrol`, { body, signal });
    return checked<EnrolReply>(enrolReply, reply, 'enrol');
  }

  /** A long poll (`wait`) gets a timeout that outlasts it; `signal` ends it early (shutdown). */
  async contact(body: ContactBody, signal?: AbortSignal): Promise<ContactReply> {
    const timeoutMs = (body.wait ?? 0) * 1000 + LONG_POLL_MARGIN_MS;
    const reply = await this.http.request<unknown>('POST', `${AGENT_API}/contact`, { body, signal, timeoutMs });
    return checked<ContactReply>(contactReply, reply, 'contact');
  }

  async events(jobstateId: string, body: EventsBody, signal?: AbortSignal): Promise<EventsResult> {
    try {
      const reply = await this.http.request<unknown>('POST', `${AGENT_API}/jobstates/${enc(jobstateId)}/events`, {
        body,
        signal,
      });
      return { status: 'applied', ...checked<EventsReply>(eventsReply, reply, 'events') };
    } catch (err) {
      if (err instanceof TaskwardenError && err.status === 409) return { status: 'stale' };
      if (err instanceof TaskwardenError && err.status === 410) return { status: 'gone' };
      throw err;
    }
  }

  /**
   * Starts the download of a package file, from byte `from` on (a resumed download asks for
   * a range). The caller reads the body and checks the hash.
   */
  async download(sha256: string, from: number, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.credential) headers['authorization'] = `Bearer ${bearerOf(this.credential)}`;
    if (from > 0) headers['range'] = `bytes=${from}-`;
    let response: Response;
    try {
      response = await fetch(`${this.server}${AGENT_API}/files/${enc(sha256)}`, { headers, signal });
    } catch (err) {
      throw new TaskwardenError('unavailable', `cannot reach ${this.server}: ${causeOf(err)}`);
    }
    if (response.ok) return response;
    await response.body?.cancel();
    const code = response.status === 404 ? 'not_found' : response.status >= 500 ? 'unavailable' : 'invalid_input';
    throw new TaskwardenError(code, `file ${sha256}: HTTP ${response.status}`);
  }
}

/**
 * True when the server is away or overloaded (no connection, 5xx, 429): the call is worth
 * repeating later, unlike a refusal (401, 400) that repeating will not change.
 */
export function isServerAway(err: unknown): boolean {
  return err instanceof TaskwardenError && (err.status >= 500 || err.code === 'rate_limited');
}

const bearerOf = (c: AgentCredential) => `${c.agentId}.${c.secret}`;
const enc = encodeURIComponent;

function causeOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return (err.cause as Error | undefined)?.message ?? err.message;
}

// The protocol's schemas as plain JSON Schema, checked with ajv: the agent does not load TypeBox.
const enrolReply = compileSchema(AGENT_JSON_SCHEMAS.enrolReply, { useDefaults: false });
const contactReply = compileSchema(AGENT_JSON_SCHEMAS.contactReply, { useDefaults: false });
const eventsReply = compileSchema(AGENT_JSON_SCHEMAS.eventsReply, { useDefaults: false });

/** The reply if it has the protocol's shape, else an error saying where it does not. */
function checked<T>(validate: SchemaValidator, value: unknown, call: string): T {
  try {
    return validate(value, 'reply') as T;
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    throw new TaskwardenError('internal', `the server's ${call} reply is not understood: ${err.message}`);
  }
}
