import { useState } from 'react';
import { get, post } from '../../api/client.ts';
import type { RunView, TaskView } from '../../api/types.ts';
import { JobstateGroups } from '../../components/JobstateGroups.tsx';
import { ACTIVE_RUNS, Completion, endedEarly, StatusBadge } from '../../components/status.tsx';
import { ErrorNote, Loaded, Time } from '../../components/ui.tsx';
import { useServerEvents } from '../../lib/events.tsx';
import { durationBetween } from '../../lib/format.ts';
import { waveText } from '../../lib/rollout.ts';
import { useAction } from '../../lib/use-action.ts';
import { useNow } from '../../lib/use-now.ts';
import { useResource } from '../../lib/use-resource.ts';
import { href, navigate } from '../../router.ts';
import { useSession } from '../../session.tsx';

/** One run: when and why, its counts and rollout wave, every jobstate with its reason and logs; cancel, relaunch, resume, promote. */
export function RunDetailPage({ id }: { id: string }) {
  const run = useResource(`run-${id}`, () => get<RunView>(`/api/v1/runs/${id}`));
  const task = useResource(run.data ? `run-task-${run.data.taskId}` : null, () =>
    get<TaskView>(`/api/v1/tasks/${run.data?.taskId}`),
  );
  const [selected, setSelected] = useState<string | null>(null);
  const now = useNow(run.data?.status === 'running');
  useServerEvents((event) => {
    if (event.type === 'run' && event.data.id === id) run.setData(() => event.data);
  });
  return (
    <div className="page">
      <Loaded data={run.data} error={run.error} what="the run">
        {(r) => (
          <>
            <div className="page-head">
              <h1>
                Run of <a href={href(`/tasks/${r.taskId}`)}>{task.data?.name ?? 'task'}</a>
              </h1>
              <RunActions run={r} onChange={(next) => run.setData(() => next)} />
            </div>
            <dl className="facts">
              <div>
                <dt>Status</dt>
                <dd>
                  <StatusBadge status={r.status} reason={r.statusReasonText} />
                  {r.statusReasonText ? <span className="muted"> ({r.statusReasonText})</span> : null}
                </dd>
              </div>
              <div>
                <dt>Reason</dt>
                <dd>
                  {r.reason}
                  {r.createdBy ? ` by ${r.createdBy}` : ''}
                </dd>
              </div>
              <div>
                <dt>Fired</dt>
                <dd>
                  <Time iso={r.fireAt} />
                </dd>
              </div>
              <div>
                <dt>Started</dt>
                <dd>
                  <Time iso={r.startedAt} />
                </dd>
              </div>
              <div>
                <dt>Duration</dt>
                <dd>{durationBetween(r.startedAt, r.finishedAt, now)}</dd>
              </div>
              <div>
                <dt>Completion</dt>
                <dd>
                  <Completion value={r.completion} ended={endedEarly(r.status)} />
                </dd>
              </div>
              {r.rollout ? (
                <div>
                  <dt>Rollout</dt>
                  <dd className="rollout-wave">{waveText(r.rollout)}</dd>
                </div>
              ) : null}
              <div>
                <dt>Run id</dt>
                <dd className="mono small">{r.id}</dd>
              </div>
            </dl>
            <h2>Jobs and targets</h2>
            <JobstateGroups runId={r.id} selected={selected} onSelect={setSelected} />
          </>
        )}
      </Loaded>
    </div>
  );
}

function RunActions({ run, onChange }: { run: RunView; onChange(run: RunView): void }) {
  const { canOperate } = useSession();
  const { busy, error, act } = useAction();
  if (!canOperate) return null;
  const active = ACTIVE_RUNS.includes(run.status);
  return (
    <div className="task-actions">
      {active ? (
        <button
          type="button"
          className="danger"
          disabled={busy !== null}
          onClick={() => act('cancel', async () => onChange(await post<RunView>(`/api/v1/runs/${run.id}/cancel`)))}
        >
          Cancel run
        </button>
      ) : null}
      {!active && run.counts.error > 0 ? (
        <button
          type="button"
          disabled={busy !== null}
          onClick={() =>
            act('relaunch', async () =>
              navigate(`/runs/${(await post<RunView>(`/api/v1/runs/${run.id}/relaunch`)).id}`),
            )
          }
        >
          Relaunch failed targets only ({run.counts.error})
        </button>
      ) : null}
      {run.rollout?.halted ? (
        <button
          type="button"
          disabled={busy !== null}
          onClick={() => act('resume', async () => onChange(await post<RunView>(`/api/v1/runs/${run.id}/resume`)))}
        >
          Resume at wave {run.rollout.wave + 1}
        </button>
      ) : null}
      {run.rollout && run.status === 'running' && run.rollout.wave < run.rollout.waves ? (
        <button
          type="button"
          disabled={busy !== null}
          onClick={() => act('promote', async () => onChange(await post<RunView>(`/api/v1/runs/${run.id}/promote`)))}
        >
          Open wave {run.rollout.wave + 1} now
        </button>
      ) : null}
      <ErrorNote error={error} />
    </div>
  );
}
