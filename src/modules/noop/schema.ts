/** Params of `noop`, the module tests and benchmarks use to shape a job's behaviour. */
export const noopParamsSchema = {
  type: 'object',
  properties: {
    chunks: {
      type: 'integer',
      minimum: 1,
      maximum: 1000000,
      default: 1,
      description: 'How many executes (each one chunk, with a checkpoint between) before it is done.',
    },
    failTimes: {
      type: 'integer',
      minimum: 0,
      maximum: 1000,
      default: 0,
      description: 'Fail attempts 1..failTimes with module_failed, then succeed.',
    },
    sleepMs: {
      type: 'integer',
      minimum: 0,
      maximum: 600000,
      default: 0,
      description: 'Time each chunk takes (on the engine clock; stops early when the job is aborted).',
    },
    log: { type: 'string', maxLength: 1000, description: 'A stdout line written by every chunk.' },
    retried: {
      type: 'integer',
      minimum: 1,
      description: 'Set by onError: the attempt that failed before these params were handed to the retry.',
    },
  },
  additionalProperties: false,
};

export type NoopParams = {
  chunks: number;
  failTimes: number;
  sleepMs: number;
  log?: string;
  retried?: number;
};
