/**
 * The module SDK: what a module author (built-in or third party, `import … from 'taskwarden/sdk'`)
 * needs to define a kind of work. Built-in modules use nothing else to describe themselves.
 */
export { type Invocation, renderArgv, renderInvocation } from '../../core/catalog.ts';
export { mayRunOnServer } from '../../core/catalog-authors.ts';
export { busyTurn, type Clock, type PausedSince, sleepRunning } from '../../core/clock.ts';
export { formatDuration, parseDuration } from '../../core/duration.ts';
export { fieldPath, ValidationError } from '../../core/errors.ts';
export { nodesOf, textOf, type XmlNode, type XmlValue } from '../../core/fusioninventory-message.ts';
export { type ReplyNode, type ReplyValue, XmlAttributes } from '../../core/fusioninventory-reply.ts';
export { compileSchemaOnFirstUse } from '../../core/json-schema.ts';
export type { JobstateReason, LogStream } from '../../core/model.ts';
export type { DeviceSighting, InventoryChange } from '../../core/ports/fleet.ts';
export type {
  FusionInventoryArchive,
  FusionInventoryDeploy,
  FusionInventoryDeployContext,
  FusionInventoryDeployJob,
  FusionInventoryDeployStatus,
  FusionInventoryHook,
  FusionInventoryInventory,
  FusionInventoryProlog,
  FusionInventoryReports,
  FusionInventoryStatusContext,
} from '../../core/ports/fusioninventory-hook.ts';
export type {
  AcceptContext,
  AgentJobContext,
  AgentOutcome,
  ExecuteOutcome,
  FleetAgent,
  ModuleDefinition,
  ModuleRegistry,
  ModuleServices,
  ModuleSummary,
  PayloadContext,
  ServerJobContext,
  SummaryInput,
} from '../../core/ports/module.ts';
export type { CatalogCommand, LedgerEntry } from '../../core/ports/store.ts';
export { readArray, readEnum, readObject, readString } from '../../core/validate.ts';
export { defineModule, type ModuleDefinitionInput } from './define.ts';
export { macsOf } from './macs.ts';
export { createModuleRegistry } from './registry.ts';
/** Runs a rendered catalog command with the catalog's timeout, logging its lines and exit. */
export { type CommandOutcome, type CommandRun, runCommand } from './run-command.ts';
/** Runs a program without a shell, streaming its lines; stopping it kills its whole process tree. */
export { type ProcessOutcome, runProcess } from './run-process.ts';
export { countIn, otherOutcomes, resultOf, summarizeOutcomes } from './summary-parts.ts';
