import { compileSchemaOnFirstUse } from '../sdk/index.ts';

/** `inventory` takes no params: an agent reports everything it collects. */
export const inventoryParamsSchema = { type: 'object', properties: {}, additionalProperties: false };

export type InventoryParams = Record<string, never>;

export interface Disk {
  mount: string;
  /** The filesystem as `df` names it (device or pseudo-filesystem). */
  fs: string;
  sizeBytes: number;
  freeBytes: number;
}

export interface NetworkInterface {
  name: string;
  /** null for interfaces without a hardware address (loopback, tunnels). */
  mac: string | null;
  /** CIDR notation ("192.168.1.20/24", "fe80::1/64"). */
  addresses: string[];
  internal: boolean;
}

/** What an agent reports. The server checks it against `inventorySchema` before storing it. */
export interface Inventory {
  hostname: string;
  os: { name: string; version: string; kernel: string; arch: string };
  cpu: { model: string; cores: number };
  memory: { totalBytes: number };
  disks: Disk[];
  interfaces: NetworkInterface[];
}

const text = { type: 'string', maxLength: 1000 };
const count = { type: 'integer', minimum: 0 };
const MAC = '^[0-9a-f]{2}(:[0-9a-f]{2}){5}$';

/** Bounds every list and string: an agent's report is outside input like any other. */
export const inventorySchema = {
  type: 'object',
  properties: {
    hostname: { type: 'string', minLength: 1, maxLength: 255 },
    os: {
      type: 'object',
      properties: { name: text, version: text, kernel: text, arch: { type: 'string', maxLength: 64 } },
      required: ['name', 'version', 'kernel', 'arch'],
      additionalProperties: false,
    },
    cpu: {
      type: 'object',
      properties: { model: text, cores: count },
      required: ['model', 'cores'],
      additionalProperties: false,
    },
    memory: {
      type: 'object',
      properties: { totalBytes: count },
      required: ['totalBytes'],
      additionalProperties: false,
    },
    disks: {
      type: 'array',
      maxItems: 500,
      items: {
        type: 'object',
        properties: { mount: text, fs: text, sizeBytes: count, freeBytes: count },
        required: ['mount', 'fs', 'sizeBytes', 'freeBytes'],
        additionalProperties: false,
      },
    },
    interfaces: {
      type: 'array',
      maxItems: 500,
      items: {
        type: 'object',
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 255 },
          mac: { anyOf: [{ type: 'string', pattern: MAC }, { type: 'null' }] },
          addresses: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 64 } },
          internal: { type: 'boolean' },
        },
        required: ['name', 'mac', 'addresses', 'internal'],
        additionalProperties: false,
      },
    },
  },
  required: ['hostname', 'os', 'cpu', 'memory', 'disks', 'interfaces'],
  additionalProperties: false,
};

/**
 * An inventory checked against inventorySchema (a ValidationError names the field): one
 * validator for what an agent reports (server.ts) and what a FusionInventory agent's
 * report becomes (fusioninventory.ts).
 */
export const checkInventory = compileSchemaOnFirstUse(inventorySchema, { useDefaults: false }) as (
  value: unknown,
  field: string,
) => Inventory;
