import type { Calendar } from '../core/calendar.ts';
import { parseTaskCalendars } from '../core/calendar.ts';
import { fieldPath, ValidationError } from '../core/errors.ts';
import type { Store } from '../core/ports/store.ts';

/**
 * The calendars a task (or a preview) lists, each one its org may use, its own or a global
 * one; another org's is "no calendar named", as any name it cannot see (400 naming
 * `calendars[i]`). orgId null: the global ones only (the global admin previewing without an org).
 */
export async function resolveCalendarNames(
  store: Store,
  orgId: string | null,
  names: readonly string[],
): Promise<Calendar[]> {
  const calendars = await store.calendars.resolve(orgId, names);
  const found = new Set(calendars.map((c) => c.name));
  for (const [i, name] of names.entries()) {
    if (found.has(name)) continue;
    throw new ValidationError(
      fieldPath('calendars', i),
      `no calendar named "${name}" (create it first: POST /api/v1/calendars)`,
    );
  }
  return calendars;
}

/** When a task is saved: every calendar it lists exists for its org. */
export async function checkCalendarReferences(store: Store, orgId: string, names: readonly string[]): Promise<void> {
  await resolveCalendarNames(store, orgId, names);
}

/** A preview's `calendars` (names), checked as a task's, resolved to what they forbid. */
export async function previewCalendars(store: Store, orgId: string | null, input: unknown): Promise<Calendar[]> {
  if (input === undefined) return [];
  return resolveCalendarNames(store, orgId, parseTaskCalendars(input, 'calendars'));
}
