// Generated from agent.ts by `npm run generate:agent-schemas`: do not edit. The schemas the
// agent checks, as plain JSON Schema, so that it does not load TypeBox (see that script).

export const AGENT_JSON_SCHEMAS = {
  enrolReply: {
    type: 'object',
    required: ['agentId', 'secret', 'contactSeconds'],
    properties: {
      agentId: { type: 'string', minLength: 1, maxLength: 100 },
      secret: { type: 'string' },
      contactSeconds: { type: 'integer' },
      tags: { type: 'array', items: { type: 'string' } },
    },
  },
  contactReply: {
    type: 'object',
    required: ['jobs', 'stop', 'contactSeconds', 'serverTime'],
    properties: {
      jobs: {
        type: 'array',
        items: {
          type: 'object',
          required: ['jobstate', 'attempt', 'module', 'params', 'payload', 'timeoutSeconds'],
          properties: {
            jobstate: { type: 'string', minLength: 1, maxLength: 100 },
            attempt: { type: 'integer', minimum: 1 },
            module: { type: 'string' },
            params: { type: 'object', patternProperties: { '^.*$': {} } },
            payload: {},
            timeoutSeconds: { type: 'integer', minimum: 1 },
          },
        },
      },
      stop: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 100 } },
      contactSeconds: { type: 'integer' },
      serverTime: { type: 'string', format: 'date-time' },
    },
  },
  eventsReply: {
    type: 'object',
    required: ['applied', 'lastSeq'],
    properties: { applied: { type: 'integer' }, lastSeq: { type: 'integer' } },
  },
  event: {
    anyOf: [
      {
        type: 'object',
        required: ['seq', 'ts', 'type'],
        properties: {
          seq: { type: 'integer', minimum: 1 },
          ts: { type: 'integer' },
          type: { type: 'string', const: 'started' },
        },
        additionalProperties: false,
      },
      {
        type: 'object',
        required: ['seq', 'ts', 'type', 'stream', 'line'],
        properties: {
          seq: { type: 'integer', minimum: 1 },
          ts: { type: 'integer' },
          type: { type: 'string', const: 'log' },
          stream: {
            anyOf: [
              { type: 'string', const: 'stdout' },
              { type: 'string', const: 'stderr' },
              { type: 'string', const: 'info' },
            ],
          },
          line: { type: 'string', maxLength: 8192 },
        },
        additionalProperties: false,
      },
      {
        type: 'object',
        required: ['seq', 'ts', 'type', 'percent'],
        properties: {
          seq: { type: 'integer', minimum: 1 },
          ts: { type: 'integer' },
          type: { type: 'string', const: 'progress' },
          percent: { type: 'number', minimum: 0, maximum: 100 },
          message: { type: 'string', maxLength: 500 },
        },
        additionalProperties: false,
      },
      {
        type: 'object',
        required: ['seq', 'ts', 'type'],
        properties: {
          seq: { type: 'integer', minimum: 1 },
          ts: { type: 'integer' },
          type: {
            anyOf: [
              { type: 'string', const: 'finished' },
              { type: 'string', const: 'error' },
            ],
          },
          result: {},
          reason: { type: 'string', maxLength: 64 },
        },
        additionalProperties: false,
      },
    ],
  },
};
