import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { TaskwardenError, ValidationError } from '../core/errors.ts';

const MAX_FILE_BYTES = 1024 * 1024;

/**
 * Reads a task file (YAML or JSON; JSON is YAML): one object, or a list of them. The
 * server validates every field; this only checks the file's overall shape. `T` is the wire
 * shape the server will check each definition against (protocol/), not a promise of it.
 */
export function readDefinitions<T extends object = Record<string, unknown>>(path: string, what: string): T[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TaskwardenError(
      'invalid_input',
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  if (text.length > MAX_FILE_BYTES) throw new ValidationError(path, 'is larger than 1 MiB');
  let data: unknown;
  try {
    data = parse(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new ValidationError(path, `is not valid YAML or JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const items = Array.isArray(data) ? data : [data];
  items.forEach((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new ValidationError(Array.isArray(data) ? `${path}[${i}]` : path, `must be a ${what} (an object)`);
    }
  });
  if (items.length === 0) throw new ValidationError(path, `has no ${what}`);
  return items as T[];
}
