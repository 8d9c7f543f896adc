import type { PreparedCheck, PreparedStep } from './manifest.ts';

/** Params of `deploy`: which package to install or uninstall. */
export const deployParamsSchema = {
  type: 'object',
  properties: {
    package: {
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9._-]{0,99}$',
      description: 'Name of an uploaded package of the org.',
    },
    version: {
      type: 'string',
      minLength: 1,
      maxLength: 100,
      description: 'A version of the package; default: the most recently uploaded one.',
    },
    action: { enum: ['install', 'uninstall'], default: 'install' },
    force: {
      type: 'boolean',
      default: false,
      description:
        'Install even where the ledger says this version was installed (a package with checks lets its checks decide anyway).',
    },
  },
  required: ['package'],
  additionalProperties: false,
};

export type DeployParams = { package: string; version?: string; action: 'install' | 'uninstall'; force: boolean };

/** What the agent receives: the package's archive by hash and the procedure with commands rendered. */
export interface DeployPayload {
  package: { name: string; version: string; sha256: string; size: number };
  action: 'install' | 'uninstall';
  checks: PreparedCheck[];
  steps: PreparedStep[];
  /** The absolute folders the org allows extracting to; absent (an older server) = none. */
  extractPrefixes?: string[];
  /** The ledger's word that this version was installed on the agent already (install without `force` only). */
  installed?: { runId: string; at: string };
}

/** `ok` = the steps ran, `unneeded` = the checks said it is done already, `ko` = a step failed. */
export type DeployOutcome = 'ok' | 'unneeded' | 'ko';

const argvCommand = {
  type: 'object',
  properties: {
    type: { const: 'command' },
    command: { type: 'string' },
    argv: { type: 'array', minItems: 1, items: { type: 'string' } },
    timeoutSeconds: { type: 'integer', minimum: 1 },
  },
  required: ['type', 'command', 'argv', 'timeoutSeconds'],
  additionalProperties: false,
};
const pathItem = (type: string[], key: string) => ({
  type: 'object',
  properties: { type: { enum: type }, [key]: { type: 'string', minLength: 1 } },
  required: ['type', key],
  additionalProperties: false,
});

/** The agent checks what it received before acting on it: a server of another version may send another shape. */
export const deployPayloadSchema = {
  type: 'object',
  properties: {
    package: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        version: { type: 'string' },
        sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        size: { type: 'integer', minimum: 0 },
      },
      required: ['name', 'version', 'sha256', 'size'],
      additionalProperties: false,
    },
    action: { enum: ['install', 'uninstall'] },
    checks: { type: 'array', items: { anyOf: [pathItem(['file-exists', 'file-absent'], 'path'), argvCommand] } },
    steps: { type: 'array', items: { anyOf: [pathItem(['extract'], 'to'), argvCommand] } },
    extractPrefixes: { type: 'array', items: { type: 'string', pattern: '^/' } },
    installed: {
      type: 'object',
      properties: { runId: { type: 'string' }, at: { type: 'string' } },
      required: ['runId', 'at'],
      additionalProperties: false,
    },
  },
  required: ['package', 'action', 'checks', 'steps'],
  additionalProperties: false,
};
