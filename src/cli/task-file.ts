import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { TaskwardenError, ValidationError } from '../core/errors.ts';

const MAX_FILE_BYTES = 1024 * 1024;

/**
 * Reads a task file (YAML or JSON; JSON is YAML): one object, a list of them, or several
 * YAML documents (`---`), each an object or a list, read as one list. The server validates
 * every field; this only checks the file's overall shape. `T` is the wire shape the server
 * will check each definition against (protocol/), not a promise of it.
 */
export function readDefinitions<T extends object = Record<string, unknown>>(
  path: string,
  what: string,
  maxBytes = MAX_FILE_BYTES,
): T[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TaskwardenError(
      'invalid_input',
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  if (text.length > maxBytes) throw new ValidationError(path, `is larger than ${maxBytes / 1024 / 1024} MiB`);
  let data: unknown;
  try {
    data = parseDocuments(text);
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

/**
 * The file's value: its one document's, or the documents' items as one list. JSON is read
 * as JSON first: the YAML parser takes seconds over a bulk load's megabytes.
 */
function parseDocuments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: YAML (whose errors are the ones worth showing).
  }
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return null;
  for (const doc of docs) if (doc.errors[0]) throw doc.errors[0];
  const values = docs.map((doc) => doc.toJS({ maxAliasCount: 100 }) as unknown);
  if (values.length === 1) return values[0];
  return values.flatMap((value) => (Array.isArray(value) ? value : [value]));
}
