import { type Static, Type } from 'typebox';
import { MAX_BLACKOUTS_PER_CALENDAR, MAX_YEARLY_DAYS, YEARLY_DAY_PATTERN } from '../core/calendar.ts';
import { Id, IsoTime } from './common.ts';
import { BlackoutDef, CalendarName } from './task-def.ts';

const blackoutsMean = 'absolute forbidden ranges [from, to), ISO-8601 with an offset';
const yearlyMeans = 'days forbidden every year, "MM-DD", whole days in the zone of the task using the calendar';
const Blackouts = Type.Array(Type.Object({ from: Type.String(), to: Type.String() }), { description: blackoutsMean });
const Yearly = Type.Array(Type.String(), { description: yearlyMeans });
/** What a request may send; the core then checks the instants and that each day exists (02-30 is refused). */
const BlackoutsBody = Type.Array(BlackoutDef, { maxItems: MAX_BLACKOUTS_PER_CALENDAR, description: blackoutsMean });
const YearlyBody = Type.Array(Type.String({ pattern: YEARLY_DAY_PATTERN }), {
  maxItems: MAX_YEARLY_DAYS,
  description: yearlyMeans,
});

/**
 * A shared calendar: `{"name":"holidays","blackouts":[{"from":"…","to":"…"}],"yearly":["12-25","01-01"]}`;
 * `global: true` (the global admin's) makes one every org's tasks may list. The core's
 * calendar rules check it and name the bad field.
 */
export const CreateCalendarBody = Type.Object(
  {
    name: CalendarName,
    blackouts: Type.Optional(BlackoutsBody),
    yearly: Type.Optional(YearlyBody),
    global: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** What may change: the blackouts and the yearly days (the name stays: tasks list it). */
export const ChangeCalendarBody = Type.Object(
  { blackouts: Type.Optional(BlackoutsBody), yearly: Type.Optional(YearlyBody) },
  { additionalProperties: false },
);

export const CalendarView = Type.Object({
  id: Id,
  orgId: Type.Union([Id, Type.Null()], { description: 'null for a global calendar' }),
  name: Type.String(),
  blackouts: Blackouts,
  yearly: Yearly,
  /** Whether the caller may change it (a global one is the global admin's). */
  managed: Type.Boolean(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type CalendarView = Static<typeof CalendarView>;
export type CreateCalendarBody = Static<typeof CreateCalendarBody>;
export type ChangeCalendarBody = Static<typeof ChangeCalendarBody>;
