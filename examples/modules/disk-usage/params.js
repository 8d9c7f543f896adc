// @ts-check
/** The job's params, as the web editor's form shows them and the server checks them. */
export const paramsSchema = {
  type: 'object',
  properties: {
    path: { type: 'string', minLength: 1, default: '/', description: 'A path on the disk to measure' },
    maxPercent: {
      type: 'integer',
      minimum: 1,
      maximum: 100,
      default: 90,
      description: 'Fail when the disk is fuller than this (percent)',
    },
  },
  additionalProperties: false,
};
