import type { FastifyRequest } from 'fastify';
import type { AuthLevel } from './auth.ts';

const MACHINE_LEVELS: ReadonlySet<AuthLevel | undefined> = new Set(['agent', 'fusioninventory']);

/**
 * Whether the request's route serves agents (the agent protocol and FusionInventory's,
 * authenticated as an agent): machine traffic, each agent calling every few seconds, never a
 * browser's page. The access log and the security headers treat it apart.
 */
export function servesMachines(request: FastifyRequest): boolean {
  return MACHINE_LEVELS.has(request.routeOptions.config.auth);
}
