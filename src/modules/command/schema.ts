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
