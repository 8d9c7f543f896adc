// Child process of `npm run bench -- fleet`: simulated agents speaking the agent protocol
// with keep-alive fetch. Each enrols, then long-polls; every job it gets is answered
// `finished` at once (started + finished in one events call) before it polls again.
// Driven over IPC: it sends one message once every agent polls; then {type:'snapshot'} is
// answered with its counters, and {type:'stop'} with its counters before it exits (open
// long-polls die with the process: nothing waits for them).
const [base, token, countText, prefix] = process.argv.slice(2) as [string, string, string, string];
const count = Number(countText);
const stats = { contacts: 0, jobs: 0, errors: 0 };

async function post(
  path: string,
  body: unknown,
  bearer?: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (bearer) headers['authorization'] = `Bearer ${bearer}`;
  const response = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

async function enrol(i: number): Promise<string> {
  const reply = await post('/agent/v1/enrol', {
    token,
    deviceId: `${prefix}-${i}`,
    tags: ['bench'],
    modules: ['command'],
  });
  if (reply.status >= 300) throw new Error(`enrol ${i}: HTTP ${reply.status} ${JSON.stringify(reply.json)}`);
  return `${reply.json['agentId']}.${reply.json['secret']}`;
}

async function agentLoop(credential: string): Promise<void> {
  for (;;) {
    try {
      const contact = await post(
        '/agent/v1/contact',
        { version: 'bench', modules: ['command'], running: [], wait: 30, capacity: 10 },
        credential,
      );
      stats.contacts++;
      if (contact.status !== 200) throw new Error(`contact: HTTP ${contact.status}`);
      for (const job of contact.json['jobs'] as { jobstate: string; attempt: number }[]) {
        const ts = Date.now();
        const events = [
          { seq: 1, ts, type: 'started' },
          { seq: 2, ts, type: 'finished', result: { exitCode: 0 } },
        ];
        const reply = await post(
          `/agent/v1/jobstates/${job.jobstate}/events`,
          { attempt: job.attempt, events },
          credential,
        );
        if (reply.status !== 200) throw new Error(`events: HTTP ${reply.status}`);
        stats.jobs++;
      }
    } catch (err) {
      stats.errors++;
      const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      process.stderr.write(`agent error: ${cause}\n`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

const credentials: string[] = [];
for (let i = 0; i < count; i += 50) {
  credentials.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) => enrol(i + j)))));
}
for (const credential of credentials) void agentLoop(credential);
process.send?.({ type: 'ready' });
process.on('message', (message: { type: string }) => {
  if (message.type === 'snapshot') process.send?.({ ...stats });
  if (message.type === 'stop') process.send?.({ ...stats }, () => process.exit(0));
});
