import { fieldPath, parseDuration, ValidationError } from '../sdk/index.ts';
import { parseRanges } from './ranges.ts';

/** The longest a probe may wait for an answer; a filtered port costs this much each. */
export const MAX_TIMEOUT_SECONDS = 30;

export const discoveryParamsSchema = {
  type: 'object',
  properties: {
    ranges: {
      type: 'array',
      minItems: 1,
      maxItems: 64,
      items: { type: 'string', minLength: 1, maxLength: 40 },
      description:
        'IPv4 addresses, ranges (10.0.0.1-10.0.0.40) or CIDR blocks (10.0.0.0/24); 65,536 addresses at most.',
    },
    ports: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      uniqueItems: true,
      items: { type: 'integer', minimum: 1, maximum: 65535 },
      default: [22, 80, 443, 631, 9100],
      description: 'TCP ports to try; an address with any of them open is a device.',
    },
    timeout: {
      type: ['string', 'integer'],
      default: '1s',
      description: `How long one connection attempt may take (seconds or "2s"; ${MAX_TIMEOUT_SECONDS}s at most).`,
    },
    concurrency: {
      type: 'integer',
      minimum: 1,
      maximum: 1024,
      default: 32,
      description: 'Connection attempts in flight at once.',
    },
  },
  required: ['ranges'],
  additionalProperties: false,
};

export type DiscoveryParams = { ranges: string[]; ports: number[]; timeout: string | number; concurrency: number };

/** Checks what the schema cannot: the ranges parse and stay within one job's limit, the timeout is a duration. */
export function refineDiscoveryParams(params: Record<string, unknown>, field: string): DiscoveryParams {
  const discovery = params as DiscoveryParams;
  parseRanges(discovery.ranges, fieldPath(field, 'ranges'));
  timeoutMs(discovery, field);
  return discovery;
}

export function timeoutMs(params: DiscoveryParams, field = 'params'): number {
  const at = fieldPath(field, 'timeout');
  const seconds = parseDuration(params.timeout, at, { min: 1 });
  if (seconds > MAX_TIMEOUT_SECONDS) throw new ValidationError(at, `must be at most ${MAX_TIMEOUT_SECONDS} seconds`);
  return seconds * 1000;
}

/** What a discovery reports: how many addresses it probed and the devices it found. */
export interface DiscoveryReport {
  addresses: number;
  devices: { ip: string; ports: number[]; hostname: string | null }[];
}

/** An agent's report is outside input: every list and string bounded. */
export const discoveryReportSchema = {
  type: 'object',
  properties: {
    addresses: { type: 'integer', minimum: 0, maximum: 65536 },
    devices: {
      type: 'array',
      maxItems: 65536,
      items: {
        type: 'object',
        properties: {
          ip: { type: 'string', maxLength: 15 },
          ports: { type: 'array', maxItems: 100, items: { type: 'integer', minimum: 1, maximum: 65535 } },
          hostname: { anyOf: [{ type: 'string', maxLength: 253 }, { type: 'null' }] },
        },
        required: ['ip', 'ports', 'hostname'],
        additionalProperties: false,
      },
    },
  },
  required: ['addresses', 'devices'],
  additionalProperties: false,
};

/** The jobstate's result once devices are recorded. */
export interface DiscoveryResult {
  addresses: number;
  found: number;
  created: number;
  updated: number;
}
