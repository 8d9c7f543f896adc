import type { TaskDef } from '../../api/types.ts';
import { Check, Field } from '../../components/ui.tsx';

/** One of the schedule kinds of the wire schema (protocol/task-def.ts), told apart by `kind`. */
export type Schedule = TaskDef['schedule'];
type Kind = Schedule['kind'];

export const SCHEDULE_KINDS: { kind: Kind; label: string }[] = [
  { kind: 'manual', label: 'Manual (on demand only)' },
  { kind: 'immediate', label: 'Immediate (once, now)' },
  { kind: 'once', label: 'Once, at a date' },
  { kind: 'interval', label: 'Every interval' },
  { kind: 'cron', label: 'Cron expression' },
  { kind: 'weekly', label: 'Weekly' },
  { kind: 'monthly', label: 'Monthly' },
  { kind: 'rrule', label: 'Recurrence rule (RFC 5545)' },
];
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const NTH = [
  { value: 1, label: 'first' },
  { value: 2, label: 'second' },
  { value: 3, label: 'third' },
  { value: 4, label: 'fourth' },
  { value: 5, label: 'fifth' },
  { value: -1, label: 'last' },
];
const ZONES: string[] = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

export const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The zone a schedule's wall times are in; for `tz: "agent"`, its fallback (server targets, agents without a zone). */
export function scheduleZone(schedule: Record<string, unknown>): string {
  const tz = schedule.tz === 'agent' ? schedule.fallbackTz : schedule.tz;
  return typeof tz === 'string' && tz ? tz : browserZone();
}

/** Kinds whose wall times can be each agent's own (`tz: "agent"`); an interval counts elapsed time. */
const AGENT_ZONE_KINDS: Kind[] = ['once', 'cron', 'weekly', 'monthly', 'rrule'];

/**
 * A schedule of `kind` with sensible starting values, keeping the zone of the previous one
 * (and its agent-local time when the new kind has wall times too).
 */
export function scheduleOfKind(kind: Kind, previous: Schedule): Schedule {
  const next = startingSchedule(kind, scheduleZone(previous));
  if (previous.tz === 'agent' && AGENT_ZONE_KINDS.includes(kind)) return { ...next, tz: 'agent', fallbackTz: next.tz };
  return next;
}

function startingSchedule(kind: Kind, tz: string): Schedule {
  switch (kind) {
    case 'manual':
    case 'immediate':
      return { kind };
    case 'once':
      return { kind, at: '', tz };
    case 'interval':
      return { kind, every: '1h', tz };
    case 'cron':
      return { kind, expr: '0 2 * * *', tz };
    case 'weekly':
      return { kind, days: ['mon'], at: '09:00', tz };
    case 'monthly':
      return { kind, day: 1, at: '09:00', tz };
    default:
      return { kind, rule: 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0', tz };
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/** Every schedule kind of the Contract, with the fields that kind takes and nothing else. */
export function ScheduleEditor({ value, onChange }: { value: Schedule; onChange(next: Schedule): void }) {
  const set = (patch: Record<string, unknown>) => {
    const next: Record<string, unknown> = { ...value, ...patch };
    for (const [k, v] of Object.entries(patch)) if (v === undefined || v === '') delete next[k];
    // The form writes the fields of the kind shown; the server's schema checks the result.
    onChange(next as Schedule);
  };
  const agentLocal = value.tz === 'agent';
  const zoneField = agentLocal ? 'fallbackTz' : 'tz';
  const hasZone = value.kind !== 'manual' && value.kind !== 'immediate';
  return (
    <fieldset className="schedule-editor">
      <legend>Schedule</legend>
      <div className="row">
        <Field name="schedule.kind" label="Kind">
          <select value={value.kind} onChange={(e) => onChange(scheduleOfKind(e.target.value as Kind, value))}>
            {SCHEDULE_KINDS.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.label}
              </option>
            ))}
          </select>
        </Field>
        {hasZone ? (
          <Field
            name={`schedule.${zoneField}`}
            label={agentLocal ? 'Fallback time zone' : 'Time zone'}
            hint={agentLocal ? 'for the server and agents that report no zone' : 'wall times below are in this zone'}
          >
            <input
              list="tz-list"
              value={str(value[zoneField])}
              placeholder={browserZone()}
              onChange={(e) => set({ [zoneField]: e.target.value })}
            />
            <datalist id="tz-list">
              {ZONES.map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </Field>
        ) : null}
        {AGENT_ZONE_KINDS.includes(value.kind) ? (
          <Check
            label="At each agent's local time"
            checked={agentLocal}
            onChange={(local) =>
              set(
                local
                  ? { tz: 'agent', fallbackTz: scheduleZone(value) }
                  : { tz: scheduleZone(value), fallbackTz: undefined },
              )
            }
          />
        ) : null}
      </div>
      <KindFields value={value} set={set} />
    </fieldset>
  );
}

function KindFields({ value, set }: { value: Schedule; set(patch: Record<string, unknown>): void }) {
  switch (value.kind) {
    case 'once':
      return (
        <Field name="schedule.at" label="At">
          <input
            type="datetime-local"
            value={str(value.at).slice(0, 16)}
            onChange={(e) => set({ at: e.target.value })}
          />
        </Field>
      );
    case 'interval':
      return (
        <div className="row">
          <Field
            name="schedule.every"
            label="Every"
            hint='seconds, or "30s", "15m", "6h", "2d" (elapsed time, not wall clock)'
          >
            <input value={str(value.every)} onChange={(e) => set({ every: e.target.value })} />
          </Field>
          <Field name="schedule.start" label="Starting (optional)">
            <input
              type="datetime-local"
              value={str(value.start).slice(0, 16)}
              onChange={(e) => set({ start: e.target.value })}
            />
          </Field>
        </div>
      );
    case 'cron':
      return (
        <Field
          name="schedule.expr"
          label="Cron expression"
          hint="5 fields (min hour day month weekday), or 6 with seconds first"
          wide
        >
          <input className="mono" value={str(value.expr)} onChange={(e) => set({ expr: e.target.value })} />
        </Field>
      );
    case 'weekly':
      return (
        <div className="row">
          <WeekdayChecks days={(value.days as string[] | undefined) ?? []} onChange={(days) => set({ days })} />
          <TimeField value={value} set={set} />
        </div>
      );
    case 'monthly':
      return <MonthlyFields value={value} set={set} />;
    case 'rrule':
      return (
        <div className="row">
          <Field
            name="schedule.rule"
            label="Rule"
            hint="e.g. FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR;BYHOUR=8;BYMINUTE=0"
            wide
          >
            <input className="mono" value={str(value.rule)} onChange={(e) => set({ rule: e.target.value })} />
          </Field>
          <Field name="schedule.start" label="Starting (optional)">
            <input
              type="datetime-local"
              value={str(value.start).slice(0, 16)}
              onChange={(e) => set({ start: e.target.value })}
            />
          </Field>
        </div>
      );
    default:
      return (
        <p className="muted">
          {value.kind === 'manual' ? 'Runs only when someone runs it.' : 'Runs once, as soon as it is saved.'}
        </p>
      );
  }
}

function TimeField({
  value,
  set,
}: {
  value: Extract<Schedule, { at: string }>;
  set(patch: Record<string, unknown>): void;
}) {
  return (
    <Field name="schedule.at" label="At (time of day)">
      <input type="time" value={str(value.at)} onChange={(e) => set({ at: e.target.value })} />
    </Field>
  );
}

function WeekdayChecks({ days, onChange }: { days: string[]; onChange(days: string[]): void }) {
  return (
    <fieldset className="weekdays">
      <legend>Days</legend>
      {WEEKDAYS.map((d) => (
        <label key={d} className="check">
          <input
            type="checkbox"
            checked={days.includes(d)}
            onChange={(e) =>
              onChange(
                e.target.checked ? WEEKDAYS.filter((w) => w === d || days.includes(w)) : days.filter((w) => w !== d),
              )
            }
          />
          {d}
        </label>
      ))}
    </fieldset>
  );
}

function MonthlyFields({
  value,
  set,
}: {
  value: Extract<Schedule, { kind: 'monthly' }>;
  set(patch: Record<string, unknown>): void;
}) {
  const byNth = value.nth !== undefined;
  return (
    <div className="row">
      <fieldset className="radios">
        <legend>Which day</legend>
        <label className="check">
          <input
            type="radio"
            name="monthly-mode"
            checked={!byNth}
            onChange={() => set({ nth: undefined, weekday: undefined, day: 1 })}
          />
          a day of the month
        </label>
        <label className="check">
          <input
            type="radio"
            name="monthly-mode"
            checked={byNth}
            onChange={() => set({ day: undefined, nth: 1, weekday: 'mon' })}
          />
          a weekday of the month
        </label>
      </fieldset>
      {byNth ? (
        <>
          <Field label="Which">
            <select value={str(value.nth)} onChange={(e) => set({ nth: Number(e.target.value) })}>
              {NTH.map((n) => (
                <option key={n.value} value={n.value}>
                  {n.label}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Weekday">
            <select value={str(value.weekday)} onChange={(e) => set({ weekday: e.target.value })}>
              {WEEKDAYS.map((d) => (
                <option key={d}>{d}</option>
              ))}
            </select>
          </Field>
        </>
      ) : (
        <Field name="schedule.day" label="Day of month" hint="31 = the last day of shorter months">
          <input
            type="number"
            min={1}
            max={31}
            value={str(value.day)}
            onChange={(e) => set({ day: e.target.value === '' ? undefined : Number(e.target.value) })}
          />
        </Field>
      )}
      <TimeField value={value} set={set} />
    </div>
  );
}
