import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { BODY_AJV_OPTIONS, WIRE_AJV_OPTIONS } from '../protocol/wire-check.ts';

/**
 * Request schemas are checked by two ajv instances: bodies exactly as sent (no coercion, so
 * "5" never passes for 5, and unknown fields are errors, never silently removed), query
 * strings and path params with coercion (they are always text on the wire).
 * Each schema is compiled at its first request, not before the server listens: compiling
 * every route's schemas was a fifth of the server's start (issue 18). `deferred` gets each
 * compilation, so that a test compiles them all at once and a schema mistake fails there
 * rather than as a 500 at the route's first request.
 */
export function installValidation(app: FastifyInstance, deferred: DeferredCompiles): void {
  // The options the checks of bodies outside requests use too (protocol/wire-check.ts): one schema, one verdict.
  const bodies = new Ajv(BODY_AJV_OPTIONS);
  const texts = new Ajv({ ...WIRE_AJV_OPTIONS, coerceTypes: 'array', useDefaults: true });
  app.setValidatorCompiler(({ schema, httpPart, method, url }) => {
    const validate = compiledOnFirstUse(() =>
      (httpPart === 'body' ? bodies : texts).compile(schema as Record<string, unknown>),
    );
    deferred.push({ what: `${method} ${url} ${httpPart}`, compile: () => validate.compile() });
    return validate;
  });
}

/** Compilations put off to first use (request validators, response serializers), to be forced by a test. */
export type DeferredCompiles = Array<{ what: string; compile: () => void }>;

declare module 'fastify' {
  interface FastifyInstance {
    /** Compiles every route's validators and serializers now; throws naming the route whose schema is wrong. */
    compileAllSchemas(): void;
  }
}

export function installCompileAll(app: FastifyInstance, deferred: DeferredCompiles): void {
  app.decorate('compileAllSchemas', () => {
    for (const { what, compile } of deferred) {
      try {
        compile();
      } catch (error) {
        throw new Error(`${what}: ${(error as Error).message}`, { cause: error });
      }
    }
  });
}

/** What fastify calls a route's validator with: ajv's second argument lets it replace the part it coerces. */
type Validate = ((data: unknown, dataCxt?: unknown) => boolean) & Pick<ValidateFunction, 'errors'>;

/**
 * A validator that compiles on its first call and then behaves as ajv's own: fastify reads
 * `errors` after a failed call, and passes the request as the parent of the value (so that
 * ajv may coerce it) when the validator has a `schemaEnv`, as ajv's functions have.
 */
function compiledOnFirstUse(compile: () => ValidateFunction): Validate & { schemaEnv: true; compile(): void } {
  let compiled: ValidateFunction | undefined;
  const validate = (data: unknown, dataCxt?: unknown): boolean => {
    compiled ??= compile();
    const ok = compiled(data, dataCxt as Parameters<ValidateFunction>[1]);
    validate.errors = compiled.errors;
    return ok;
  };
  validate.errors = null as ValidateFunction['errors'];
  validate.schemaEnv = true as const;
  validate.compile = () => {
    compiled ??= compile();
  };
  return validate;
}
