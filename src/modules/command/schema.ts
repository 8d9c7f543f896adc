/** Params of the `command` module: which catalog command to run and its arguments. */
export const commandParamsSchema = {
  type: 'object',
  properties: {
    command: {
      type: 'string',
      pattern: '^[a-z0-9][a-z0-9._-]{0,63}$',
      description: 'Name of a command in the catalog (the only way to run a program).',
    },
    args: {
      type: 'object',
      default: {},
      description: "Values of the command's parameters; checked against the catalog when the job runs.",
    },
  },
  required: ['command'],
  additionalProperties: false,
};

export type CommandParams = {
  command: string;
  args: Record<string, unknown>;
};

/**
 * What an agent receives with a `command` job (the server half's `payload`): the argv the
 * server rendered from the catalog, so an agent never sees templates or the catalog, and
 * the catalog command's own timeout. `env` and `stdin` carry the params the catalog passes
 * beside argv, `secrets` the values the agent masks in what it logs. They are left out when
 * empty, so an agent older than them still runs every command that does not need them
 * (and refuses, as an unknown property, one that does).
 */
export const commandPayloadSchema = {
  type: 'object',
  properties: {
    command: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' },
    argv: {
      type: 'array',
      minItems: 1,
      maxItems: 64,
      items: { type: 'string', maxLength: 4096, pattern: '^[^\\u0000]*$' },
    },
    timeoutSeconds: { type: 'integer', minimum: 1 },
    env: {
      type: 'object',
      maxProperties: 32,
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]{0,127}$' },
      additionalProperties: { type: 'string', maxLength: 65536, pattern: '^[^\\u0000]*$' },
    },
    stdin: { type: 'string', maxLength: 65536 },
    secrets: { type: 'array', maxItems: 32, items: { type: 'string', maxLength: 65536 } },
  },
  required: ['command', 'argv', 'timeoutSeconds'],
  additionalProperties: false,
};

export type CommandPayload = {
  command: string;
  argv: string[];
  timeoutSeconds: number;
  env?: Record<string, string>;
  stdin?: string;
  secrets?: string[];
};
