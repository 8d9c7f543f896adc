import type { TargetResolver } from './context.ts';

/**
 * Targets as the store knows them, resolved once when a run is created (FusionInventory's
 * prepareRun): `{server: true}` is the server; agent specs become the org's enabled agents
 * they name, so an agent enrolled or enabled later does not join a run already made.
 */
export const storeTargets: TargetResolver = {
  resolve: async (tx, orgId, targets) => ('server' in targets ? [null] : tx.agents.resolveTargets(orgId, targets)),
};
