import { type Static, Type } from 'typebox';

export const ModuleView = Type.Object({
  name: Type.String(),
  title: Type.String(),
  icon: Type.String(),
  description: Type.String(),
  runsOn: Type.Enum(['server', 'agent', 'both']),
  parallelizable: Type.Boolean(),
  paramsSchema: Type.Record(Type.String(), Type.Unknown(), { description: 'JSON schema of the job params' }),
});
export type ModuleView = Static<typeof ModuleView>;
