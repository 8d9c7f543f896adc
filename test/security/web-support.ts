// Shared by the web attack tests (test/security/web*.test.ts): an org with its users, a task
// that needs no catalog, a browser's session, the runs of a task.
import type { ServerHarness } from '../support/server.ts';

export const PASSWORD = 'correct horse battery';

export interface Org {
  id: string;
  operator: string;
  orgAdmin: string;
}

export async function setUpOrg(h: ServerHarness, name: string): Promise<Org> {
  const org = await h.createOrg(name);
  const orgAdmin = (await h.createUser(org.id, `${name}-admin`, 'org-admin')).token;
  const operator = (await h.createUser(org.id, `${name}-operator`, 'operator')).token;
  return { id: org.id, operator, orgAdmin };
}

/** A manual task of one server-side `noop` job: runs start and end at once, no catalog needed. */
export function noopTask(name: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    schedule: { kind: 'manual' },
    jobs: [{ name: 'n', module: 'noop', targets: { server: true } }],
    ...extra,
  };
}

/** A user with a password, logged in: the session cookie a browser would hold. */
export async function browserSession(
  h: ServerHarness,
  orgId: string,
  name: string,
  headers: Record<string, string> = {},
): Promise<{ cookie: string; setCookie: string }> {
  const body = { name, role: 'operator', password: PASSWORD };
  await h.expect(201, 'POST', `/api/v1/orgs/${orgId}/users`, { body });
  const login = await h.expect(200, 'POST', '/api/v1/login', {
    token: null,
    body: { name, password: PASSWORD },
    headers,
  });
  const setCookie = String(login.headers['set-cookie']);
  return { cookie: setCookie.split(';')[0] as string, setCookie };
}

export async function runsOf(h: ServerHarness, taskId: string): Promise<{ id: string }[]> {
  return (await h.expect(200, 'GET', `/api/v1/tasks/${taskId}/runs`)).json.items;
}
