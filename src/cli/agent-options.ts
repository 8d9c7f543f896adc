import type { Command } from 'commander';
import { AGENT_DEFAULTS, ENROL_TOKEN_ENV } from '../agent/defaults.ts';
import { AGENT_DEFAULT_LISTEN_PORT } from '../protocol/agent-constants.ts';

/**
 * The options of a running agent, declared once for `taskwarden agent` and for the
 * single-file agent executable (agent-executable.ts), which takes exactly the same ones.
 */
export function declareAgentOptions(command: Command): Command {
  return command
    .option(
      '--config <file>',
      'YAML file with a key per option below (server, enrolFile, data, tags…); options override it',
    )
    .option('--server <url>', 'server URL; needed to enrol, then defaults to the one in <data>/agent.json')
    .option(
      '--enrol-file <path>',
      `file holding the enrolment token (needed only the first time); or set ${ENROL_TOKEN_ENV}`,
    )
    .option('--enrol <token>', 'enrolment token on the command line (other local users see it in ps: prefer the above)')
    .option('--data <dir>', `agent folder: credential, event spool, file cache (default ${AGENT_DEFAULTS.data})`)
    .option('--name <name>', 'name shown in the server (default: host name)')
    .option(
      '--tags <a,b>',
      "tags to ask for; the agent gets its enrolment token's tags, an administrator may adopt these",
    )
    .option('--listen [port]', `listen for push wakes (default port ${AGENT_DEFAULT_LISTEN_PORT})`)
    .option('--listen-host <host>', `address to listen on (default ${AGENT_DEFAULTS.listenHost})`)
    .option(
      '--wake-url <url>',
      'URL the server should wake this agent at: the address it contacts the server from, a port above 1023, ' +
        'no path (default http://<listen-host>:<port>)',
    )
    .option('--concurrency <n>', `jobs run at once (default ${AGENT_DEFAULTS.concurrency})`)
    .option('--long-poll <seconds>', 'how long a contact waits for work, 0-60 (default 60; 0 with --listen)')
    .option('--device-id <id>', 'stable id of this machine (default: generated once, kept in agent.json)')
    .option('--package-root <dir>', 'folder deploy packages extract relative paths under (default <data>/packages)')
    .option(
      '--modules <list>',
      'extra module packages: package names or paths to a package folder or module file, comma-separated ' +
        '(env TASKWARDEN_MODULES; see "Writing a module" in the README)',
    );
}
