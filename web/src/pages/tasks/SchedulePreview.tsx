import { useEffect, useState } from 'react';
import { ApiError, post } from '../../api/client.ts';
import type { PreviewResponse } from '../../api/types.ts';
import { formatInZone, formatUtc } from '../../lib/format.ts';
import { browserZone, scheduleZone } from './ScheduleEditor.tsx';

const PREVIEW_COUNT = 8;
const DEBOUNCE_MS = 350;

/**
 * The next firings the server computes for the schedule as edited, with timeslots and
 * blackouts applied. Each firing shows the wall time with its UTC offset in the schedule's
 * zone and the UTC instant, so a DST change is visible as the offset changing. A schedule
 * in each agent's local time (`tz: "agent"`) also lists its firings per zone, for the
 * zones typed in (default: the browser's).
 */
export function SchedulePreview(props: {
  schedule: Record<string, unknown>;
  timeslots: unknown;
  blackouts: unknown;
  activeFrom: string | null;
  activeTill: string | null;
  calendars: string[];
}) {
  const [result, setResult] = useState<PreviewResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [zoneList, setZoneList] = useState(browserZone());
  const agentLocal = props.schedule.tz === 'agent';
  const zones = zoneList
    .split(',')
    .map((z) => z.trim())
    .filter(Boolean);
  const body = JSON.stringify({
    schedule: props.schedule,
    timeslots: props.timeslots,
    blackouts: props.blackouts,
    activeFrom: props.activeFrom,
    activeTill: props.activeTill,
    ...(props.calendars.length > 0 ? { calendars: props.calendars } : {}),
    count: PREVIEW_COUNT,
    ...(agentLocal && zones.length > 0 ? { zones } : {}),
  });
  useEffect(() => {
    let current = true;
    setBusy(true);
    const timer = setTimeout(() => {
      post<PreviewResponse>('/api/v1/schedules/preview', JSON.parse(body)).then(
        (answer) => {
          if (!current) return;
          setResult(answer);
          setError(null);
          setBusy(false);
        },
        (err: unknown) => {
          if (!current) return;
          setError(err instanceof ApiError ? err.message : String(err));
          setBusy(false);
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [body]);

  const tz = scheduleZone(props.schedule);
  return (
    <section className="preview" aria-label="Next firings" aria-busy={busy}>
      <h3>Next firings</h3>
      {agentLocal ? (
        <label>
          Agents' zones{' '}
          <input
            aria-label="Preview zones"
            value={zoneList}
            onChange={(e) => setZoneList(e.target.value)}
            placeholder="Europe/Paris, America/New_York"
          />
        </label>
      ) : null}
      {error ? (
        <p className="error-note" role="alert">
          {error}
        </p>
      ) : result ? (
        <>
          <p className="preview-description">{result.description}</p>
          {result.neverFires ? (
            <p className="error-note" role="alert">
              Never fires: no date matches this schedule. It cannot be saved.
            </p>
          ) : result.firings.length === 0 ? (
            <p className="muted">No firing to come.</p>
          ) : (
            <ol className="firings">
              {result.firings.map((iso) => (
                <li key={iso}>
                  <span className="firing-local">{formatInZone(iso, tz)}</span>
                  <span className="firing-utc">{formatUtc(iso)}</span>
                  {result.deferred
                    .filter((d) => d.firing === iso)
                    .map((d) => (
                      <span key={d.wouldBe} className="firing-deferred muted">
                        deferred by calendar {d.calendar} (would have fired {formatInZone(d.wouldBe, tz)})
                      </span>
                    ))}
                </li>
              ))}
            </ol>
          )}
          {result.zones?.map((zone) => (
            <div key={zone.tz} className="preview-zone">
              <h4>For agents in {zone.tz}</h4>
              <ol className="firings">
                {zone.firings.map((iso) => (
                  <li key={iso}>
                    <span className="firing-local">{formatInZone(iso, zone.tz)}</span>
                    <span className="firing-utc">{formatUtc(iso)}</span>
                  </li>
                ))}
              </ol>
            </div>
          ))}
        </>
      ) : (
        <p className="muted">Computing…</p>
      )}
    </section>
  );
}
