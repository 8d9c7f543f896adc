import { fieldPath, parseDuration } from '../sdk/index.ts';

/** A duration as task files write it ("90d", "12h") or as seconds. */
const duration = (fallback: string, description: string) => ({
  type: ['string', 'integer'],
  pattern: '^\\d+(\\.\\d+)?[smhdw]?$',
  minimum: 1,
  default: fallback,
  description,
});

export const housekeepingParamsSchema = {
  type: 'object',
  properties: {
    keepRuns: duration('90d', 'Finished runs older than this are deleted, with their jobstates and logs.'),
    keepLogs: duration('30d', 'Log lines older than this are deleted (runs and the ledger stay).'),
    keepUploads: duration(
      '1d',
      'Uploaded package files no package uses are deleted once older than this (at least 60 s: an upload is registered as a package after it is stored).',
    ),
    chunk: {
      type: 'integer',
      minimum: 1,
      maximum: 10000,
      default: 500,
      description: 'Rows deleted per statement, so a large backlog never holds a long lock.',
    },
  },
  additionalProperties: false,
};

/** Durations in seconds. */
export type HousekeepingParams = {
  keepRuns: number;
  keepLogs: number;
  keepUploads: number;
  chunk: number;
};

export function parseHousekeepingParams(params: Record<string, unknown>, field: string): HousekeepingParams {
  return {
    keepRuns: parseDuration(params['keepRuns'], fieldPath(field, 'keepRuns'), { min: 1 }),
    keepLogs: parseDuration(params['keepLogs'], fieldPath(field, 'keepLogs'), { min: 1 }),
    keepUploads: parseDuration(params['keepUploads'], fieldPath(field, 'keepUploads'), { min: 60 }),
    chunk: params['chunk'] as number,
  };
}
