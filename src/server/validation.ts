import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';

/**
 * Request schemas are checked by two ajv instances: bodies exactly as sent (no coercion, so
 * "5" never passes for 5, and unknown fields are errors, never silently removed), query
 * strings and path params with coercion (they are always text on the wire).
 */
export function installValidation(app: FastifyInstance): void {
  const common = { strict: true, allErrors: false, allowUnionTypes: true, removeAdditional: false } as const;
  const bodies = new Ajv({ ...common, coerceTypes: false, useDefaults: false });
  const texts = new Ajv({ ...common, coerceTypes: 'array', useDefaults: true });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodies : texts).compile(schema as Record<string, unknown>),
  );
}
