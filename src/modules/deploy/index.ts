import { defineModule } from '../sdk/index.ts';
import { runDeploy } from './agent.ts';
import { deployFusionInventory } from './fusioninventory-hook.ts';
import { type DeployParams, deployParamsSchema } from './schema.ts';
import { deployPayload, summarizeDeploy } from './server.ts';

export { type PackageManifest, parseManifest, prepareProcedure, type ResolveCommand } from './manifest.ts';
export { checkExtractTargets, readAbsolutePath } from './paths.ts';

/**
 * `deploy`: installs (or uninstalls) an uploaded package on the target agents. The package
 * is a tar archive, content-addressed by sha256, with a manifest of checks (already
 * installed?) and steps (extract, catalog commands). Reports ok, ko or unneeded per agent.
 */
export const deployModule = defineModule<DeployParams>({
  name: 'deploy',
  title: 'Deploy',
  icon: '📦',
  description: 'Installs or uninstalls a package (tar archive and manifest) on the target agents.',
  runsOn: 'agent',
  paramsSchema: deployParamsSchema,
  payload: deployPayload,
  agent: { run: runDeploy },
  packageOf: (params) => params.package,
  summarize: summarizeDeploy,
  // FusionInventory agents run it through their Deploy task (getJobs, setStatus).
  fusionInventory: deployFusionInventory,
});

export default deployModule;
