// A throwaway redis-server for BullMQ in the peers bench, as test/support/postgres.ts is for
// PostgreSQL: Debian's binary (installed when missing, as npm test installs chromium), on a
// free 127.0.0.1 port, no persistence, stopped (and killed if the bench dies) by the bench.
import { createServer } from 'node:net';
import { ensureDebianPackages } from '../../scripts/debian-packages.mjs';
import { start } from './processes.ts';

const REDIS_SERVER = '/usr/bin/redis-server';
const START_LIMIT_MS = 30_000;

export interface RedisServer {
  host: string;
  port: number;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export async function startRedis(): Promise<RedisServer> {
  ensureDebianPackages({
    who: 'npm run bench -- peers',
    what: 'BullMQ',
    paths: [REDIS_SERVER],
    packages: ['redis-server'],
  });
  const port = await freePort();
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'];
  const redis = start([...args, '--daemonize', 'no', '--dir', '/tmp'], { command: REDIS_SERVER });
  await redis.waitFor(/Ready to accept connections/, START_LIMIT_MS);
  return { host: '127.0.0.1', port, stop: () => redis.stop(5_000) };
}
