/**
 * Where a package may write on an agent. An extract step's `to` is either a relative path,
 * resolved under the agent's own package root, or an absolute path under a folder the
 * global admin allowed for the org (`extractPrefixes`); nothing else, so an operator's
 * package cannot overwrite /etc/cron.d on every agent. Paths are normalised (no ".", ".."
 * or empty segment, no NUL), which makes "under" a plain comparison of segments. The server
 * checks when a package is saved and again when a job is prepared (the allowed folders may
 * have changed); the agent checks a third time before it writes (see agent-paths.ts).
 */
import { fieldPath, readString, ValidationError } from '../sdk/index.ts';
import type { Procedure, Step } from './manifest.ts';

const MAX_PATH = 4096;

/** A normalised path, absolute or relative; throws naming the field otherwise. */
export function readPath(value: unknown, field: string): string {
  const path = readString(value, field, { min: 1, max: MAX_PATH });
  if (!isNormalised(path)) throw notNormalised(path, field);
  return path;
}

/** An absolute, normalised folder (an allowed prefix); throws naming the field otherwise. */
export function readAbsolutePath(value: unknown, field: string): string {
  const path = readPath(value, field);
  if (!path.startsWith('/')) throw new ValidationError(field, `"${path}" must be an absolute path`);
  return path;
}

const notNormalised = (path: string, field: string) =>
  new ValidationError(field, `"${path}" must be a path without ".", ".." or empty segments`);

export function isNormalised(path: string): boolean {
  if (path === '/') return true;
  if (path === '' || path.includes('\0')) return false;
  const segments = (path.startsWith('/') ? path.slice(1) : path).split('/');
  return segments.every((s) => s !== '' && s !== '.' && s !== '..');
}

/** The first allowed folder `path` is in (or is), or null. Both must be normalised and absolute. */
export function prefixOf(path: string, prefixes: readonly string[]): string | null {
  return prefixes.find((p) => path === p || path.startsWith(p === '/' ? p : `${p}/`)) ?? null;
}

/** Throws unless `to` is relative or under one of `prefixes` (and normalised either way). */
export function checkExtractTarget(to: string, prefixes: readonly string[], field: string): void {
  if (!isNormalised(to)) throw notNormalised(to, field);
  if (!to.startsWith('/') || prefixOf(to, prefixes) !== null) return;
  const absolute = prefixes.length > 0 ? `, or an absolute one under ${prefixes.join(', ')}` : '';
  throw new ValidationError(
    field,
    `"${to}" is outside the agent's package root and the org's allowed folders: use a relative path ` +
      `(extracted under each agent's package root)${absolute}; only the global admin allows folders`,
  );
}

/** Every extract step of the procedure (and of its uninstall procedure, if any). */
export function checkExtractTargets(
  procedure: Procedure & { uninstall?: Procedure | undefined },
  prefixes: readonly string[],
  field: string,
): void {
  const check = (steps: readonly Step[], at: string) => {
    for (const [i, step] of steps.entries()) {
      if (step.type === 'extract') {
        checkExtractTarget(step.to, prefixes, fieldPath(fieldPath(fieldPath(at, 'steps'), i), 'to'));
      }
    }
  };
  check(procedure.steps, field);
  if (procedure.uninstall) check(procedure.uninstall.steps, fieldPath(field, 'uninstall'));
}
