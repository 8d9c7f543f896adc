// The calendar part of the Store port (core/calendar.ts says what a calendar is).
import type { Calendar, CalendarChange } from '../calendar.ts';
import type { Page, Paged } from './store.ts';

/** A task naming a calendar, as a refusal to delete the calendar lists it. */
export interface CalendarUser {
  id: string;
  orgId: string;
  name: string;
}

export interface CalendarRepo {
  /** Fails with `conflict` when the org (or the global scope) has a calendar of that name. */
  create(calendar: Calendar): Promise<Calendar>;
  get(id: string): Promise<Calendar | null>;
  /**
   * The calendars an org's tasks may list under these names, in their order: the org's own,
   * else the global one; missing names are left out. orgId null: the global ones only.
   */
  resolve(orgId: string | null, names: readonly string[]): Promise<Calendar[]>;
  /** The org's calendars and the global ones, by id; orgId null = the global ones only. */
  list(orgId: string | null, page: Page): Promise<Paged<Calendar>>;
  update(id: string, change: CalendarChange & { updatedAt: number }): Promise<boolean>;
  delete(id: string): Promise<void>;
  /** The tasks listing `name`: the org's (orgId), or every org's (null, for a global calendar). */
  usersOf(orgId: string | null, name: string): Promise<CalendarUser[]>;
}
