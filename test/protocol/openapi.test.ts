// The OpenAPI document as clients see it: valid OpenAPI, every operation summarised and
// tagged, every error it can answer documented with its codes, and every route schema
// compiled (a wrong one fails here, not as a 500 at its first request).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import Fastify from 'fastify';
import { ERROR_CATALOG } from '../../src/core/errors.ts';
import { ScheduleKinds } from '../../src/protocol/task-def.ts';
import { type DeferredCompiles, installCompileAll, installValidation } from '../../src/server/validation.ts';
import { type ServerHarness, startServerHarness } from '../support/server.ts';

interface Operation {
  summary?: string;
  tags?: string[];
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: unknown;
  security?: unknown[];
  responses: Record<
    string,
    { content?: Record<string, { schema: { properties?: { error?: { properties: { code: { enum: string[] } } } } } }> }
  >;
}
interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  oneOf?: SchemaNode[];
  items?: SchemaNode;
  enum?: unknown[];
  additionalProperties?: unknown;
}
type JsonBody = { content: Record<string, { schema: SchemaNode }> };
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { enum?: string[] }> };
};

describe('OpenAPI document', () => {
  let h: ServerHarness;
  let doc: Doc;
  before(async () => {
    h = await startServerHarness();
    doc = (await h.expect(200, 'GET', '/api/docs/json', { token: null })).json as Doc;
  });
  after(() => h.cleanup());

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
    );
  const codesOf = (op: Operation, status: string) =>
    op.responses[status]?.content?.['application/json']?.schema.properties?.error?.properties.code.enum ?? [];

  test('validates as OpenAPI with swagger-parser', async () => {
    await SwaggerParser.validate(structuredClone(doc) as never);
  });

  test('every route schema compiles (request validators and response serializers)', () => {
    h.app.compileAllSchemas();
  });

  test('every operation has a summary and a tag', () => {
    const ops = operations();
    assert.ok(ops.length > 80, `only ${ops.length} operations`);
    for (const { name, op } of ops) {
      assert.ok(op.summary && op.summary.length > 5, `${name} has no summary`);
      assert.ok(op.tags && op.tags.length > 0, `${name} has no tag`);
    }
  });

  test('every operation documents the errors its kind answers, each status with its codes', () => {
    for (const { name, op } of operations()) {
      const statuses = Object.keys(op.responses);
      const inPath = (op.parameters ?? []).some((p) => p.in === 'path');
      if (inPath) assert.ok(codesOf(op, '404').includes('not_found'), `${name}: 404 not documented`);
      if (inPath || op.requestBody || (op.parameters ?? []).length > 0)
        assert.ok(codesOf(op, '400').includes('invalid_input'), `${name}: 400 not documented`);
      if (op.requestBody) assert.ok(statuses.includes('413') && statuses.includes('415'), `${name}: 413/415`);
      // /health answers 503 with its own body (degraded, and why), not an error.
      const own = name === 'GET /health' ? ['503'] : [];
      for (const status of statuses.filter((s) => Number(s) >= 400 && !own.includes(s))) {
        const codes = codesOf(op, status);
        assert.ok(codes.length > 0, `${name} ${status}: no codes`);
        for (const code of codes)
          assert.equal(String(ERROR_CATALOG[code as keyof typeof ERROR_CATALOG]), status, `${name}: ${code}`);
      }
    }
    const cancel = doc.paths['/api/v1/runs/{id}/cancel']?.post;
    assert.ok(cancel && codesOf(cancel, '409').includes('run_not_cancellable'));
    const create = doc.paths['/api/v1/tasks']?.post;
    assert.ok(create && codesOf(create, '409').includes('task_name_taken'));
    assert.ok(
      create && codesOf(create, '401').includes('unauthorized') && codesOf(create, '403').includes('forbidden'),
    );
  });

  test('an error reply carries a code its operation documents, with that status', async () => {
    const body = { name: 'twice', jobs: [{ name: 'n', module: 'noop' }] };
    const org = await h.createOrg('acme');
    await h.expect(201, 'POST', `/api/v1/tasks?org=${org.id}`, { body });
    const again = await h.expect(409, 'POST', `/api/v1/tasks?org=${org.id}`, { body });
    const create = doc.paths['/api/v1/tasks']?.post;
    assert.ok(create && codesOf(create, '409').includes(again.json.error.code), again.body);
    const bad = await h.expect(400, 'POST', `/api/v1/tasks?org=${org.id}`, { body: { ...body, name: '' } });
    assert.ok(create && codesOf(create, '400').includes(bad.json.error.code), bad.body);
  });

  test("the schedule preview body takes the task definition's schedule, timeslots and blackouts", () => {
    const preview = doc.paths['/api/v1/schedules/preview']?.post as { requestBody?: JsonBody } | undefined;
    const props = preview?.requestBody?.content['application/json']?.schema.properties ?? {};
    assert.deepEqual(
      // OpenAPI 3.0 has no const: the document says it as a one-value enum.
      (props['schedule']?.oneOf ?? []).map((kind) => kind.properties?.['kind']?.enum?.[0]),
      Object.keys(ScheduleKinds),
    );
    assert.equal(props['timeslots']?.items?.additionalProperties, false);
    assert.equal(props['blackouts']?.items?.additionalProperties, false);
  });

  test('the calendar and channel bodies list their fields and refuse others', () => {
    for (const [path, method] of [
      ['/api/v1/calendars', 'post'],
      ['/api/v1/calendars/{id}', 'patch'],
      ['/api/v1/channels', 'post'],
      ['/api/v1/channels/{id}', 'patch'],
    ] as const) {
      const op = doc.paths[path]?.[method] as { requestBody?: JsonBody } | undefined;
      const schema = op?.requestBody?.content['application/json']?.schema;
      assert.equal(schema?.additionalProperties, false, `${method} ${path}`);
    }
  });

  test('the ErrorCode schema lists every code of the catalog with its status', () => {
    assert.deepEqual([...(doc.components.schemas.ErrorCode?.enum ?? [])].sort(), Object.keys(ERROR_CATALOG).sort());
  });
});

test('a wrong route schema fails when the schemas are compiled, naming the route', async () => {
  const app = Fastify();
  const deferred: DeferredCompiles = [];
  installValidation(app, deferred);
  installCompileAll(app, deferred);
  app.post(
    '/broken',
    { schema: { body: { type: 'object', properties: { n: { type: 'integr' } } } } },
    async () => ({}),
  );
  await app.ready();
  assert.throws(() => app.compileAllSchemas(), /POST \/broken body: schema is invalid: data\/properties\/n\/type/);
  await app.close();
});
