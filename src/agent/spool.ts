import { type FileHandle, mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { compileSchema } from '../core/json-schema.ts';
import type { AgentEvent } from '../protocol/agent.ts';
import { AGENT_JSON_SCHEMAS } from '../protocol/agent-json-schemas.ts';

/**
 * Events on disk until the server has them: `<data>/spool/<jobstate>-<attempt>.jsonl`, one
 * event a line, appended in seq order before they are sent. A job's last event is fsynced,
 * so a finished job's outcome survives a crash or a power cut; after a restart the agent
 * resends what is there and the server, which applies each seq once, ignores what it has.
 */

/** Jobstate ids become file names: only characters that cannot climb out of the folder. */
export const SPOOLABLE_ID = /^[A-Za-z0-9_-]{1,100}$/;
const FILE_NAME = /^([A-Za-z0-9_-]{1,100})-(\d{1,9})\.jsonl$/;
const checkEvent = compileSchema(AGENT_JSON_SCHEMAS.event, { useDefaults: false });

export interface SpooledJob {
  jobstate: string;
  attempt: number;
  events: AgentEvent[];
  /** Lines that could not be read (a write torn by a crash); everything from the first one on is left out. */
  unreadable: number;
}

export class Spool {
  constructor(readonly dir: string) {}

  /** Opens (creating) the file of one attempt for appending. */
  async open(jobstate: string, attempt: number): Promise<SpoolFile> {
    if (!SPOOLABLE_ID.test(jobstate)) throw new TypeError(`jobstate id "${jobstate}" cannot name a spool file`);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const path = join(this.dir, `${jobstate}-${attempt}.jsonl`);
    return new SpoolFile(path, await open(path, 'a', 0o600));
  }

  /** Everything spooled by an earlier process, oldest event first within each attempt. */
  async recover(): Promise<SpooledJob[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const jobs: SpooledJob[] = [];
    for (const name of names.sort()) {
      const match = FILE_NAME.exec(name);
      if (!match) continue;
      const text = await readFile(join(this.dir, name), 'utf8');
      jobs.push({ jobstate: match[1] as string, attempt: Number(match[2]), ...parseEvents(text) });
    }
    return jobs;
  }
}

/** Reads events up to the first line that is not one, or that breaks the seq order. */
function parseEvents(text: string): { events: AgentEvent[]; unreadable: number } {
  const lines = text.split('\n').filter((line) => line !== '');
  const events: AgentEvent[] = [];
  for (const line of lines) {
    const event = parseLine(line);
    const last = events.at(-1);
    if (!event || (last && event.seq !== last.seq + 1)) break;
    events.push(event);
  }
  return { events, unreadable: lines.length - events.length };
}

function parseLine(line: string): AgentEvent | null {
  try {
    return checkEvent(JSON.parse(line), 'event') as AgentEvent;
  } catch {
    return null;
  }
}

export class SpoolFile {
  private closed = false;

  constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /** Appends events; `sync` waits until they are on the disk (a job's last event). */
  async append(events: readonly AgentEvent[], sync: boolean): Promise<void> {
    if (events.length === 0 || this.closed) return;
    await this.handle.write(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    if (sync) await this.handle.sync();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }

  /** The server has every event (or wants none): the file goes. */
  async remove(): Promise<void> {
    await this.close();
    await unlink(this.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
}
