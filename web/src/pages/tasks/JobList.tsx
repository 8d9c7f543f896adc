import type { CommandView, JobDef, ModuleView } from '../../api/types.ts';
import { emptyJob, JobEditor } from './JobEditor.tsx';
import type { AgentChoice } from './TargetsEditor.tsx';

/** The task's ordered jobs: add, remove and reorder (order is sequencing: startIf looks at the job before). */
export function JobList(props: {
  jobs: JobDef[];
  modules: ModuleView[];
  commands: CommandView[];
  agents: AgentChoice[] | null;
  onChange(jobs: JobDef[]): void;
  readOnly: boolean;
}) {
  const { jobs, onChange } = props;
  const move = (i: number, by: number) => {
    const next = [...jobs];
    const [job] = next.splice(i, 1);
    if (job) next.splice(i + by, 0, job);
    onChange(next);
  };
  return (
    <fieldset className="jobs">
      <legend>Jobs</legend>
      {jobs.length === 0 ? <p className="muted">No job yet: a task needs at least one.</p> : null}
      <ol className="job-list">
        {jobs.map((job, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: jobs are edited in place, by position
          <li key={i} className="job-item">
            <div className="job-item-head">
              <h3>
                Job {i + 1}: {job.name || 'unnamed'}
              </h3>
              <div className="actions" hidden={props.readOnly}>
                <button type="button" onClick={() => move(i, -1)} disabled={i === 0}>
                  Move up
                </button>
                <button type="button" onClick={() => move(i, 1)} disabled={i === jobs.length - 1}>
                  Move down
                </button>
                <button type="button" className="danger" onClick={() => onChange(jobs.filter((_, j) => j !== i))}>
                  Remove job {i + 1}
                </button>
              </div>
            </div>
            <JobEditor
              job={job}
              index={i}
              modules={props.modules}
              commands={props.commands}
              agents={props.agents}
              onChange={(next) => onChange(jobs.map((j, k) => (k === i ? next : j)))}
            />
          </li>
        ))}
      </ol>
      {props.readOnly ? null : (
        <button type="button" onClick={() => onChange([...jobs, emptyJob(props.modules[0], jobs.length)])}>
          Add a job
        </button>
      )}
    </fieldset>
  );
}
