import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Agent } from '../../../core/model.ts';
import type { DeployDeps } from '../../fusioninventory/deploy.ts';
import type { XmlReader } from '../../fusioninventory/xml-reader.ts';

/** The app as the plugin gets it (typed schemas). */
export type FusionApp = Parameters<FastifyPluginAsyncTypebox>[0];

/** What the FusionInventory routes share. */
export interface FusionRouteDeps extends DeployDeps {
  /** The endpoint's path, with a trailing "/". */
  path: string;
  /** Reads the agent's messages off the event loop. */
  xml: XmlReader;
  /** The agent a request comes from (enrolled on its first message): see fusioninventory/agents.ts. */
  agentOf(request: FastifyRequest, deviceId: string): Promise<Agent>;
  /** The endpoint's absolute URL as the agent reached it, for the URLs handed back to it. */
  baseUrl(request: FastifyRequest): string;
}

/** The endpoint's URL as configured, and without its trailing "/" (both reach it). */
export function endpointUrls(path: string): string[] {
  return [path, path.slice(0, -1)];
}
