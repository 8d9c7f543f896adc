import { fieldPath, ValidationError } from './errors.ts';
import { isPrintable, PRINTABLE_HINT } from './printable.ts';

/**
 * Small readers for plain JSON input. Each names the offending field in its error, so a
 * bad task file or API body says exactly where it is wrong.
 */
export function readObject(value: unknown, field: string, allowed?: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(field, 'must be an object');
  }
  if (allowed) {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) throw new ValidationError(fieldPath(field, key), 'is not a known field');
    }
  }
  return value as Record<string, unknown>;
}

export function readString(
  value: unknown,
  field: string,
  opts: { min?: number; max?: number; pattern?: RegExp; patternHint?: string } = {},
): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  const { min = 0, max = 10_000 } = opts;
  if (value.length < min)
    throw new ValidationError(field, min === 1 ? 'must not be empty' : `must have at least ${min} characters`);
  if (value.length > max) throw new ValidationError(field, `must have at most ${max} characters`);
  if (opts.pattern && !opts.pattern.test(value)) {
    throw new ValidationError(field, opts.patternHint ?? `must match ${opts.pattern.source}`);
  }
  return value;
}

/** A string shown to people as it is (a description): readString, and printable (core/printable.ts). */
export function readText(value: unknown, field: string, opts: { min?: number; max?: number } = {}): string {
  const text = readString(value, field, opts);
  if (!isPrintable(text)) throw new ValidationError(field, PRINTABLE_HINT);
  return text;
}

export function readEnum<T extends string>(value: unknown, field: string, choices: readonly T[]): T {
  if (typeof value !== 'string' || !choices.includes(value as T)) {
    throw new ValidationError(field, `must be one of ${choices.join(', ')}`);
  }
  return value as T;
}

export function readArray(value: unknown, field: string, max: number): unknown[] {
  if (!Array.isArray(value)) throw new ValidationError(field, 'must be a list');
  if (value.length > max) throw new ValidationError(field, `must have at most ${max} items`);
  return value;
}

/** An ISO-8601 date-time with an explicit offset or Z; returns epoch ms. */
export function readInstant(value: unknown, field: string): number {
  const text = readString(value, field, { max: 64 });
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    throw new ValidationError(
      field,
      `"${text}" is not an ISO date-time with an offset (e.g. 2026-12-01T02:00:00+01:00)`,
    );
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new ValidationError(field, `"${text}" is not a valid date-time`);
  return ms;
}
