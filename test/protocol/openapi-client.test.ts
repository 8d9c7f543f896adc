// A client generated from the OpenAPI document (openapi-typescript) and the typed client
// (src/client/api.ts, typed from src/protocol) describe the same wire: values of each are
// assigned to the other and tsc must accept them, so a drift between the two fails here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import openapiTS, { astToString } from 'openapi-typescript';
import { type ServerHarness, startServerHarness } from '../support/server.ts';

const src = (path: string) => resolve('src', path);

const CHECK = `
import type { paths } from './openapi.ts';
import type { TaskwardenClient } from '${src('client/api.ts')}';
import type { ErrorCode } from '${src('core/errors.ts')}';

type Json<T> = T extends { content: { 'application/json': infer J } } ? J : never;
type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { requestBody: infer B } ? Json<B> : never;
type Reply<P extends keyof paths, M extends keyof paths[P], S extends number> = paths[P][M] extends {
  responses: infer R;
} ? (S extends keyof R ? Json<R[S]> : never) : never;
type Arg<K extends keyof TaskwardenClient, I extends number = 0> = TaskwardenClient[K] extends (...a: infer A) => unknown ? A[I] : never;
type Result<K extends keyof TaskwardenClient> = TaskwardenClient[K] extends (...a: never[]) => Promise<infer R> ? R : never;
declare function value<T>(): T;

// Bodies, both ways.
export const taskBody: Body<'/api/v1/tasks', 'post'> = value<Arg<'createTask'>>();
export const taskBodyBack: Arg<'createTask'> = value<Body<'/api/v1/tasks', 'post'>>();
export const putBody: Body<'/api/v1/tasks/{id}', 'put'> = value<Arg<'updateTask', 1>>();
export const commandBody: Body<'/api/v1/commands', 'post'> = value<Arg<'addCommand'>>();
export const channelBody: Body<'/api/v1/channels', 'post'> = value<Arg<'createChannel'>>();
export const calendarBody: Body<'/api/v1/calendars', 'post'> = value<Arg<'createCalendar'>>();
export const previewBody: Body<'/api/v1/schedules/preview', 'post'> = value<Arg<'previewSchedule'>>();
export const userBody: Body<'/api/v1/orgs/{org}/users', 'post'> = value<Arg<'createUser', 1>>();
// Replies, both ways.
export const task: Result<'getTask'> = value<Reply<'/api/v1/tasks/{id}', 'get', 200>>();
export const taskBack: Reply<'/api/v1/tasks/{id}', 'get', 200> = value<Result<'getTask'>>();
export const created: Result<'createTask'> = value<Reply<'/api/v1/tasks', 'post', 201>>();
export const run: Result<'getRun'> = value<Reply<'/api/v1/runs/{id}', 'get', 200>>();
export const runBack: Reply<'/api/v1/runs/{id}', 'get', 200> = value<Result<'getRun'>>();
export const preview: Result<'previewSchedule'> = value<Reply<'/api/v1/schedules/preview', 'post', 200>>();
export const agent: Result<'getAgent'> = value<Reply<'/api/v1/agents/{id}', 'get', 200>>();
export const summary: Result<'summary'> = value<Reply<'/api/v1/summary', 'get', 200>>();
// Error codes: the documented ones are catalog codes, and a conflict of task create is one of them.
export const code: ErrorCode = value<Reply<'/api/v1/tasks', 'post', 409>>().error.code;
export const taken: Reply<'/api/v1/tasks', 'post', 409>['error']['code'] = 'task_name_taken';
// None of the looked-up types is \`never\` (which any value would pass for).
type Real<T> = [T] extends [never] ? false : true;
export const real: true[] = [
  value<Real<Body<'/api/v1/commands', 'post'>>>(),
  value<Real<Body<'/api/v1/channels', 'post'>>>(),
  value<Real<Body<'/api/v1/calendars', 'post'>>>(),
  value<Real<Body<'/api/v1/schedules/preview', 'post'>>>(),
  value<Real<Body<'/api/v1/orgs/{org}/users', 'post'>>>(),
  value<Real<Body<'/api/v1/tasks/{id}', 'put'>>>(),
  value<Real<Reply<'/api/v1/tasks', 'post', 201>>>(),
  value<Real<Reply<'/api/v1/schedules/preview', 'post', 200>>>(),
  value<Real<Reply<'/api/v1/agents/{id}', 'get', 200>>>(),
  value<Real<Reply<'/api/v1/summary', 'get', 200>>>(),
  value<Real<Reply<'/api/v1/tasks', 'post', 409>>>(),
];
// The generated types are not \`any\`: a wrong body is refused.
// @ts-expect-error name must be a string
export const wrong: Body<'/api/v1/tasks', 'post'> = { name: 1, jobs: [] };
`;

test('a client generated from the OpenAPI document type-checks against the typed client', async () => {
  let h: ServerHarness | undefined;
  const dir = await mkdtemp(join(tmpdir(), 'tw-openapi-'));
  try {
    h = await startServerHarness();
    const doc = (await h.expect(200, 'GET', '/api/docs/json', { token: null })).json;
    await writeFile(join(dir, 'openapi.ts'), astToString(await openapiTS(doc)));
    await writeFile(join(dir, 'check.ts'), CHECK);
    const tsc = spawnSync(
      process.execPath,
      [
        resolve('node_modules/typescript/bin/tsc'),
        '--noEmit',
        '--strict',
        '--skipLibCheck',
        '--allowImportingTsExtensions',
        '--module',
        'nodenext',
        '--target',
        'es2022',
        join(dir, 'check.ts'),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  } finally {
    await h?.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
});
