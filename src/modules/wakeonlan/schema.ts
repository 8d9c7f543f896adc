/**
 * Params of `wakeonlan` and `wakeonlan-relay`. Where to send (`broadcast`, `port`) is
 * shared; `macs` wakes machines that are no agents (or not inventoried yet).
 */
const destination = {
  broadcast: {
    type: 'string',
    default: '255.255.255.255',
    pattern: '^(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}$',
    description: 'IPv4 broadcast address the magic packets are sent to (a subnet broadcast like 192.168.1.255).',
  },
  port: { type: 'integer', minimum: 1, maximum: 65535, default: 9, description: 'UDP port (9 or 7 by convention).' },
};

const macs = {
  type: 'array',
  maxItems: 1000,
  items: { type: 'string', pattern: '^[0-9A-Fa-f]{2}([:-]?)[0-9A-Fa-f]{2}(\\1[0-9A-Fa-f]{2}){4}$' },
};

export const wakeParamsSchema = {
  type: 'object',
  properties: {
    ...destination,
    macs: {
      ...macs,
      description:
        'MAC addresses to wake when the job targets the server. A job targeting agents wakes ' +
        'each agent by the MACs of its latest inventory instead.',
    },
  },
  additionalProperties: false,
};

export type WakeParams = { broadcast: string; port: number; macs?: string[] };

const names = { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 100 } };

export const relayParamsSchema = {
  type: 'object',
  properties: {
    ...destination,
    agents: { ...names, description: 'Agents to wake (by id), by the MACs of their latest inventory.' },
    tags: { ...names, description: 'Wake the agents having any of these tags.' },
    macs: { ...macs, description: 'More MAC addresses to wake.' },
  },
  additionalProperties: false,
};

export type RelayParams = { broadcast: string; port: number; agents?: string[]; tags?: string[]; macs?: string[] };

/** What the relay agent receives: every machine to wake, with the MACs the server knows for it. */
export interface RelayPayload {
  targets: { name: string; macs: string[] }[];
}

/** The result of both modules: machines woken, machines that could not be (no known MAC), MACs used. */
export interface WakeResult {
  woken: number;
  withoutMac: number;
  macs: string[];
}
