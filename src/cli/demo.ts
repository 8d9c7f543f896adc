import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createAgentLog } from '../agent/log.ts';
import { agentModules } from '../agent/modules.ts';
import { AgentRuntime } from '../agent/runtime.ts';
import { TaskwardenClient } from '../client/api.ts';
import type { CreateCommandBody } from '../protocol/commands.ts';
import type { TaskDefBody } from '../protocol/task-def.ts';
import { resolveServerConfig } from '../server/config.ts';
import { type RunningServer, startServer } from '../server/start.ts';
import { applyTasks } from './apply.ts';
import { serveUntilSignal } from './serve.ts';
import { readDefinitions } from './task-file.ts';
import { packageVersion } from './version.ts';

const EXAMPLES = new URL('../../examples/', import.meta.url).pathname;
const DEMO_ORG = 'demo';
const DEMO_USER = 'demo';
const DEMO_PASSWORD = 'demo-password';

/**
 * The demo: the server on the embedded SQLite store with a "demo" org, a user to log in
 * with, a small command catalog, sample tasks and a local agent.
 */
export async function runDemo(flags: { data?: string; port?: string; host?: string }): Promise<void> {
  const config = resolveServerConfig(flags, process.env, process.cwd());
  // A demo is watched in a terminal: request logs only when asked for.
  if (!process.env.TASKWARDEN_LOG_LEVEL) config.logLevel = 'warn';
  const server = await startServer(config);
  let agent: AgentRuntime | null = null;
  serveUntilSignal(server, async () => {
    await agent?.stop();
  });
  const tokenFile = await seedDemo(server, config.dataDir);
  agent = await startLocalAgent(server.url, tokenFile, join(config.dataDir, 'agent'));
  await runFleetTasksNow(server.url, tokenFile);
  const defaultData = config.dataDir === join(process.cwd(), 'taskwarden-data');
  const defaultUrl = server.url === 'http://127.0.0.1:8080';
  const flagsHint = `${defaultData ? '' : ` --data ${config.dataDir}`}${defaultUrl ? '' : ` --server ${server.url}`}`;
  process.stdout.write(
    [
      '',
      `Taskwarden demo is running at ${server.url}`,
      `  web UI login:  ${DEMO_USER} / ${DEMO_PASSWORD}`,
      `  local agent:   ${agent.agentId} (tags demo, local), data in ${join(config.dataDir, 'agent')}`,
      `  admin token:   ${join(config.dataDir, 'admin.token')}   (demo org token: ${tokenFile})`,
      '  try:',
      `    npx taskwarden summary${flagsHint}`,
      `    npx taskwarden task run system-info --wait 30 --token "$(cat ${tokenFile})"${defaultUrl ? '' : ` --server ${server.url}`}`,
      'Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );
}

async function seedDemo(server: RunningServer, dataDir: string): Promise<string> {
  const admin = new TaskwardenClient({
    server: server.url,
    token: (await readFile(join(dataDir, 'admin.token'), 'utf8')).trim(),
  });
  const orgs = await admin.http.all<{ id: string; name: string }>('/api/v1/orgs');
  if (!orgs.some((o) => o.name === DEMO_ORG)) await admin.createOrg(DEMO_ORG);
  const users = await admin.http.all<{ id: string; name: string }>(`/api/v1/orgs/${DEMO_ORG}/users`);
  const user =
    users.find((u) => u.name === DEMO_USER) ??
    (await admin.createUser(DEMO_ORG, { name: DEMO_USER, role: 'org-admin', password: DEMO_PASSWORD }));

  const tokenFile = join(dataDir, 'demo.token');
  let token = await readFile(tokenFile, 'utf8').then(
    (t) => t.trim(),
    () => '',
  );
  const demo = () => new TaskwardenClient({ server: server.url, token });
  const valid =
    token !== '' &&
    (await demo()
      .listTasks()
      .then(
        () => true,
        () => false,
      ));
  if (!valid) {
    token = (await admin.createToken(user.id, { name: 'demo' })).token;
    await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
  }
  const client = demo();
  // The demo's commands run on the server too: only the global admin defines those.
  for (const command of readDefinitions<CreateCommandBody>(join(EXAMPLES, 'demo-catalog.yaml'), 'command'))
    await admin.addCommand(command, { org: DEMO_ORG });
  await applyTasks(client, [
    ...readDefinitions<TaskDefBody>(join(EXAMPLES, 'demo-tasks.yaml'), 'task'),
    ...readDefinitions<TaskDefBody>(join(EXAMPLES, 'demo-fleet-tasks.yaml'), 'task'),
  ]);
  return tokenFile;
}

/** So there is something to see at once instead of at the first hourly firing. */
async function runFleetTasksNow(server: string, tokenFile: string): Promise<void> {
  const client = new TaskwardenClient({ server, token: (await readFile(tokenFile, 'utf8')).trim() });
  for (const name of ['demo-inventory', 'demo-discovery']) {
    const task = await client.findTask(name);
    if (task) await client.runTask(task.id);
  }
}

/**
 * The demo's own agent, in this process: enrolled once with a one-use token (its
 * credentials then stay in its data folder), long-polling, tagged for the fleet tasks.
 */
async function startLocalAgent(server: string, tokenFile: string, dataDir: string): Promise<AgentRuntime> {
  const enrolled = await readFile(join(dataDir, 'agent.json'), 'utf8').then(
    () => true,
    () => false,
  );
  let enrolToken: string | undefined;
  if (!enrolled) {
    const client = new TaskwardenClient({ server, token: (await readFile(tokenFile, 'utf8')).trim() });
    enrolToken = (await client.createEnrolmentToken({ uses: 1, expiresIn: '1h', tags: ['demo', 'local'] })).token;
  }
  const version = packageVersion();
  return AgentRuntime.start(
    { dataDir, server, enrolToken, name: 'local', listen: null, concurrency: 2, longPollSeconds: 60, version },
    { modules: await agentModules(), log: createAgentLog('warn') },
  );
}
