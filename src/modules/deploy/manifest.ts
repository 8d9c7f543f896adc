/**
 * A package's manifest: how to tell it is already there (`checks`, all satisfied =
 * nothing to do), how to install it (`steps`), and optionally the same for uninstalling.
 * Programs run only through the command catalog (a name and typed args, rendered to argv by
 * the server), never as free text; the archive is a plain tar extracted to a folder that
 * paths.ts allows. Paths are relative (to the agent's package root) or absolute, normalised.
 */

import type { CatalogCommand } from '../sdk/index.ts';
import { fieldPath, readArray, readEnum, readObject, readString, renderArgv, ValidationError } from '../sdk/index.ts';
import { readPath } from './paths.ts';

/** Paths are absolute, or relative to the agent's package root. */
export type Check =
  | { type: 'file-exists'; path: string }
  | { type: 'file-absent'; path: string }
  | { type: 'command'; command: string; args: Record<string, unknown> };

/** `to`: relative to the agent's package root, or absolute under an allowed prefix (paths.ts). */
export type Step =
  | { type: 'extract'; to: string }
  | { type: 'command'; command: string; args: Record<string, unknown> };

export interface Procedure {
  checks: Check[];
  steps: Step[];
}

export interface PackageManifest extends Procedure {
  uninstall?: Procedure;
}

const MAX_ITEMS = 50;
const COMMAND_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function parseManifest(input: unknown, field: string): PackageManifest {
  const raw = readObject(input, field, ['checks', 'steps', 'uninstall']);
  const manifest: PackageManifest = parseProcedure(raw, field);
  if (raw['uninstall'] !== undefined) {
    const at = fieldPath(field, 'uninstall');
    manifest.uninstall = parseProcedure(readObject(raw['uninstall'], at, ['checks', 'steps']), at);
  }
  return manifest;
}

function parseProcedure(raw: Record<string, unknown>, field: string): Procedure {
  const checksAt = fieldPath(field, 'checks');
  const checks = readArray(raw['checks'] ?? [], checksAt, MAX_ITEMS).map((item, i) =>
    parseCheck(item, fieldPath(checksAt, i)),
  );
  const stepsAt = fieldPath(field, 'steps');
  const steps = readArray(raw['steps'], stepsAt, MAX_ITEMS).map((item, i) => parseStep(item, fieldPath(stepsAt, i)));
  if (steps.length === 0) throw new ValidationError(stepsAt, 'must have at least one step');
  return { checks, steps };
}

function parseCheck(input: unknown, field: string): Check {
  const type = readEnum(readObject(input, field)['type'], fieldPath(field, 'type'), [
    'file-exists',
    'file-absent',
    'command',
  ]);
  if (type === 'command') return parseCommand(input, field);
  const raw = readObject(input, field, ['type', 'path']);
  return { type, path: readPath(raw['path'], fieldPath(field, 'path')) };
}

function parseStep(input: unknown, field: string): Step {
  const type = readEnum(readObject(input, field)['type'], fieldPath(field, 'type'), ['extract', 'command']);
  if (type === 'command') return parseCommand(input, field);
  const raw = readObject(input, field, ['type', 'to']);
  return { type, to: readPath(raw['to'], fieldPath(field, 'to')) };
}

function parseCommand(input: unknown, field: string): Extract<Step, { type: 'command' }> {
  const raw = readObject(input, field, ['type', 'command', 'args']);
  const command = readString(raw['command'], fieldPath(field, 'command'), {
    pattern: COMMAND_NAME,
    patternHint: 'must be the name of a command of the catalog',
  });
  const args = raw['args'] === undefined ? {} : readObject(raw['args'], fieldPath(field, 'args'));
  return { type: 'command', command, args };
}

/** A check or step ready for the agent: catalog commands rendered to argv. */
export type PreparedCheck = Exclude<Check, { type: 'command' }> | PreparedCommand;
export type PreparedStep = Exclude<Step, { type: 'command' }> | PreparedCommand;

export interface PreparedCommand {
  type: 'command';
  /** The catalog name, for the agent's log. */
  command: string;
  argv: string[];
  timeoutSeconds: number;
}

export type ResolveCommand = (name: string) => Promise<CatalogCommand | null>;

/**
 * Renders the procedure's catalog commands (each must exist and be allowed on agents, its
 * args valid); errors name the field, e.g. `steps[1].args.path`.
 */
export async function prepareProcedure(
  procedure: Procedure,
  resolve: ResolveCommand,
  field: string,
): Promise<{ checks: PreparedCheck[]; steps: PreparedStep[] }> {
  const prepare = async <T extends Check | Step>(
    item: T,
    at: string,
  ): Promise<Exclude<T, { type: 'command' }> | PreparedCommand> => {
    if (item.type !== 'command') return item as Exclude<T, { type: 'command' }>;
    const command = await resolve(item.command);
    if (!command)
      throw new ValidationError(fieldPath(at, 'command'), `"${item.command}" is not in the command catalog`);
    if (command.runsOn === 'server') {
      throw new ValidationError(fieldPath(at, 'command'), `command "${item.command}" runs on the server only`);
    }
    const argv = renderArgv(command, item.args, fieldPath(at, 'args'));
    return { type: 'command', command: command.name, argv, timeoutSeconds: command.timeoutSeconds };
  };
  const checks: PreparedCheck[] = [];
  for (const [i, check] of procedure.checks.entries())
    checks.push(await prepare(check, fieldPath(fieldPath(field, 'checks'), i)));
  const steps: PreparedStep[] = [];
  for (const [i, step] of procedure.steps.entries())
    steps.push(await prepare(step, fieldPath(fieldPath(field, 'steps'), i)));
  return { checks, steps };
}
