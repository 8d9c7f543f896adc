import { useCallback } from 'react';
import { getAll } from '../api/client.ts';
import type { JobstateView } from '../api/types.ts';
import { targetLabel, useAgentNames } from '../lib/agents.ts';
import { useServerEvents } from '../lib/events.tsx';
import { durationBetween, whyWaiting } from '../lib/format.ts';
import { byWave } from '../lib/rollout.ts';
import { useNow } from '../lib/use-now.ts';
import { useResource } from '../lib/use-resource.ts';
import { LogViewer } from './LogViewer.tsx';
import { StatusBadge } from './status.tsx';
import { ErrorNote } from './ui.tsx';

/** A run's jobstates, kept current from the event stream (each event carries the whole jobstate). */
export function useRunJobstates(runId: string | null) {
  const resource = useResource<JobstateView[]>(runId, () => getAll<JobstateView>(`/api/v1/runs/${runId}/jobstates`));
  const { setData } = resource;
  useServerEvents(
    useCallback(
      (event) => {
        if (event.type !== 'jobstate' || event.data.runId !== runId) return;
        const js = event.data;
        setData((list) => {
          if (!list) return list;
          const at = list.findIndex((x) => x.id === js.id);
          return at === -1 ? [...list, js] : list.map((x) => (x.id === js.id ? js : x));
        });
      },
      [runId, setData],
    ),
  );
  return resource;
}

function countsLine(jobstates: JobstateView[]): string {
  const counts = new Map<string, number>();
  for (const js of jobstates) counts.set(js.status, (counts.get(js.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
}

/**
 * Per job (then per wave, in a rollout run), then per target (agent or server): status, reason, attempt, duration. Selecting
 * a target opens its logs under the list, following them while it runs.
 */
export function JobstateGroups(props: {
  runId: string;
  selected: string | null;
  onSelect(jobstateId: string | null): void;
}) {
  const { data, error } = useRunJobstates(props.runId);
  const names = useAgentNames(data?.map((js) => js.agentId) ?? []);
  const now = useNow(data?.some((js) => js.status === 'running' || js.status === 'waiting') ?? false);
  if (error && !data) return <ErrorNote error={error} />;
  if (!data) return <p className="muted">Loading jobs…</p>;
  const jobs = new Map<number, JobstateView[]>();
  for (const js of [...data].sort((a, b) => a.jobIndex - b.jobIndex)) {
    jobs.set(js.jobIndex, [...(jobs.get(js.jobIndex) ?? []), js]);
  }
  const selected = data.find((js) => js.id === props.selected) ?? null;
  const rows = { names, now, selected: props.selected, onSelect: props.onSelect };
  return (
    <div className="jobstates">
      {data.length === 0 ? <p className="muted">This run has no targets.</p> : null}
      {[...jobs.values()].map((group) => {
        const first = group[0] as JobstateView;
        return (
          <section key={first.jobIndex} className="job-group" aria-label={`Job ${first.job}`}>
            <h4>
              <span className="job-index">{first.jobIndex + 1}.</span> {first.job}{' '}
              <span className="muted">
                ({first.module}) — {group.length} target{group.length === 1 ? '' : 's'}: {countsLine(group)}
              </span>
            </h4>
            {byWave(group).map(([wave, targets]) =>
              wave === null ? (
                <TargetList key="all" {...rows} targets={targets} />
              ) : (
                <section key={wave} className="wave-group" aria-label={`Wave ${wave}`}>
                  <h5>
                    Wave {wave} <span className="muted">— {countsLine(targets)}</span>
                  </h5>
                  <TargetList {...rows} targets={targets} />
                </section>
              ),
            )}
          </section>
        );
      })}
      {selected ? (
        <LogViewer jobstate={selected} title={`${selected.job} on ${targetLabel(selected.agentId, names)}`} />
      ) : data.length > 0 ? (
        <p className="muted">Select a target to see its logs.</p>
      ) : null}
    </div>
  );
}

/** A job's targets (of one wave, in a rollout run): each a row that opens its logs. */
function TargetList(props: {
  targets: JobstateView[];
  names: Map<string, string>;
  now: number;
  selected: string | null;
  onSelect(jobstateId: string | null): void;
}) {
  return (
    <ul className="target-list">
      {props.targets.map((js) => (
        <li key={js.id} className="target-item">
          <button
            type="button"
            className="target-row"
            aria-pressed={js.id === props.selected}
            onClick={() => props.onSelect(js.id === props.selected ? null : js.id)}
          >
            <span className="target-name">{targetLabel(js.agentId, props.names)}</span>
            <StatusBadge status={js.status} reason={js.reasonText} />
            <span className="target-reason" title={whyWaiting(js, props.now)}>
              {whyWaiting(js, props.now)}
            </span>
            <span className="target-attempt">try {js.attempt}</span>
            <span className="target-duration">{durationBetween(js.startedAt, js.finishedAt, props.now)}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
