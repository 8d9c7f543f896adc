import { type Static, Type } from 'typebox';
import { Id, IsoTime } from './common.ts';

const Blackouts = Type.Array(Type.Object({ from: Type.String(), to: Type.String() }), {
  description: 'absolute forbidden ranges [from, to), ISO-8601 with an offset',
});
const Yearly = Type.Array(Type.String(), {
  description: 'days forbidden every year, "MM-DD", whole days in the zone of the task using the calendar',
});

/**
 * A shared calendar: `{"name":"holidays","blackouts":[{"from":"…","to":"…"}],"yearly":["12-25","01-01"]}`;
 * `global: true` (the global admin's) makes one every org's tasks may list. The core's
 * calendar rules check it and name the bad field.
 */
export const CreateCalendarBody = Type.Object(
  {
    name: Type.String({ description: '1-64 letters, digits, . _ -' }),
    blackouts: Type.Optional(Blackouts),
    yearly: Type.Optional(Yearly),
    global: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: true },
);

/** What may change: the blackouts and the yearly days (the name stays: tasks list it). */
export const ChangeCalendarBody = Type.Object(
  { blackouts: Type.Optional(Blackouts), yearly: Type.Optional(Yearly) },
  { additionalProperties: true },
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
