import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';
import type { DeferredCompiles } from './validation.ts';

type SchemaController = NonNullable<FastifyServerOptions['schemaController']>;
type BuildSerializer = NonNullable<NonNullable<SchemaController['compilersFactory']>['buildSerializer']>;

/**
 * Fastify's own response serializers (fast-json-stringify: a reply carries the fields its
 * schema names, nothing more), each compiled at the first reply that needs it instead of
 * before the server listens: compiling every route's response schemas was the largest part
 * of the server's start once its modules were bundled (issue 18). `SerializerSelector` is
 * the compiler fastify itself uses when given none. Each goes to `deferred` too (validation.ts).
 */
export function responseSerializersOnFirstUse(deferred: DeferredCompiles): SchemaController {
  const compilerOf = SerializerSelector();
  const buildSerializer: BuildSerializer = (externalSchemas, options) => {
    const compile = compilerOf(externalSchemas, options);
    return (route) => {
      let serialize: ((data: unknown) => string) | undefined;
      deferred.push({
        what: `${route.method} ${route.url} response ${route.httpStatus}`,
        compile: () => {
          serialize ??= compile(route);
        },
      });
      return (data) => {
        serialize ??= compile(route);
        return serialize(data);
      };
    };
  };
  return { compilersFactory: { buildSerializer } };
}
