import { type Static, Type } from 'typebox';
import { MAX_PREVIEW_COUNT } from '../core/schedule/index.ts';
import { IsoTime } from './common.ts';
import { BlackoutDef, CalendarNamesDef, ScheduleDef, TimeslotDef } from './task-def.ts';

export const DEFAULT_PREVIEW_COUNT = 10;

/**
 * The schedule fields of a task definition (protocol/task-def.ts), checked by the same schema;
 * what a schema cannot say (a cron expression's value, an unknown zone, …) the core's
 * schedule rules check after it, naming the field the same way ("schedule.at: …").
 */
export const PreviewBody = Type.Object(
  {
    schedule: ScheduleDef,
    timeslots: Type.Optional(Type.Array(TimeslotDef, { maxItems: 1000 })),
    blackouts: Type.Optional(Type.Array(BlackoutDef, { maxItems: 1000 })),
    activeFrom: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    activeTill: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    calendars: Type.Optional(CalendarNamesDef),
    from: Type.Optional(Type.String({ description: 'ISO time to preview from; default now' })),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PREVIEW_COUNT })),
    zones: Type.Optional(
      Type.Array(Type.String({ maxLength: 64 }), {
        maxItems: 20,
        description: 'IANA zones to list the firings in (a "tz":"agent" schedule fires at its wall time in each)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type PreviewBody = Static<typeof PreviewBody>;

export const PreviewQuery = Type.Object({
  org: Type.Optional(Type.String({ description: 'the org whose calendars a global admin previews with' })),
});

export const PreviewResponse = Type.Object({
  firings: Type.Array(IsoTime),
  description: Type.String(),
  neverFires: Type.Boolean({ description: 'the pattern matches no date at all: saving it is refused' }),
  zones: Type.Optional(
    Type.Array(Type.Object({ tz: Type.String(), firings: Type.Array(IsoTime) }), {
      description: 'with zones asked for: the firings for a target in each zone',
    }),
  ),
  deferred: Type.Array(
    Type.Object({
      firing: IsoTime,
      wouldBe: IsoTime,
      calendar: Type.String(),
      from: IsoTime,
      until: IsoTime,
    }),
    { description: 'firings a calendar moved: when they would have fired, and the calendar closing that instant' },
  ),
});
export type PreviewResponse = Static<typeof PreviewResponse>;
