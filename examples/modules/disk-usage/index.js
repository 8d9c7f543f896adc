// @ts-check
// An example third-party module: `disk-usage` measures how full the file system holding a
// path is, on the server (server half: execute) or on each target agent (agent half:
// agent.run), and fails the jobstate above a threshold. It imports `taskwarden/sdk` and its
// own files only. Load it with TASKWARDEN_MODULES=/path/to/this/folder on the server and on
// the agents (or `modules:` in their config files).
import { defineModule, summarizeOutcomes } from 'taskwarden/sdk';
import { runOnAgent } from './agent.js';
import { paramsSchema } from './params.js';
import { executeOnServer } from './server.js';

export default defineModule({
  name: 'disk-usage',
  title: 'Disk usage',
  icon: '💽',
  description: 'Measures how full the disk holding a path is; fails above a threshold.',
  runsOn: 'both',
  paramsSchema,
  execute: executeOnServer,
  agent: { run: runOnAgent },
  summarize: summarizeOutcomes,
});
