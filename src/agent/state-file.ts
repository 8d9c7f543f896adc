import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TaskwardenError, ValidationError } from '../core/errors.ts';

/**
 * `<data>/agent.json` (mode 0600): the agent's identity. The device id is written before
 * the first enrolment, so an enrolment that fails and is tried again sends the same id;
 * the credential (agent id and secret, shown once by the server) is added once enrolled.
 */
export interface AgentState {
  deviceId: string;
  server?: string;
  agentId?: string;
  secret?: string;
}

export interface EnrolledState extends AgentState {
  server: string;
  agentId: string;
  secret: string;
}

const STATE_FILE = 'agent.json';
/** The protocol's device id alphabet (protocol/agent.ts EnrolBody.deviceId). */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9._:@-]{1,200}$/;

export function isEnrolled(state: AgentState): state is EnrolledState {
  return state.agentId !== undefined && state.secret !== undefined && state.server !== undefined;
}

/** Reads the state, or null when the agent has none yet. A damaged file is an error, never silently replaced. */
export async function readAgentState(dataDir: string): Promise<AgentState | null> {
  const path = join(dataDir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new TaskwardenError('invalid_input', `${path} is not JSON; remove it to enrol again`);
  }
  return parseState(data, path);
}

function parseState(data: unknown, path: string): AgentState {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ValidationError(path, 'must be a JSON object');
  }
  const obj = data as Record<string, unknown>;
  const text = (key: string, required: boolean) => {
    const value = obj[key];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || value === '') throw new ValidationError(`${path}: ${key}`, 'must be a string');
    return value;
  };
  const deviceId = text('deviceId', true) as string;
  if (!DEVICE_ID_PATTERN.test(deviceId)) {
    throw new ValidationError(`${path}: deviceId`, 'must be 1-200 of A-Z a-z 0-9 . _ : @ -');
  }
  const state: AgentState = { deviceId };
  for (const key of ['server', 'agentId', 'secret'] as const) {
    const value = text(key, false);
    if (value !== undefined) state[key] = value;
  }
  const credentialKeys = [state.agentId, state.secret].filter((v) => v !== undefined).length;
  if (credentialKeys === 1) throw new ValidationError(path, 'agentId and secret go together');
  return state;
}

/** Writes the whole state atomically (temp file, fsync, rename), readable by this user only. */
export async function writeAgentState(dataDir: string, state: AgentState): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, STATE_FILE);
  const temp = `${path}.${process.pid}.tmp`;
  const file = await open(temp, 'w', 0o600);
  try {
    await file.writeFile(`${JSON.stringify(state, null, 2)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, path);
}

/** A new device id: the host name (for people reading lists) and a random part (for uniqueness). */
export function newDeviceId(host = hostname()): string {
  const name = host.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60) || 'agent';
  return `${name}-${randomUUID()}`;
}
