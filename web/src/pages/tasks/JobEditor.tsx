import type { CommandView, JobDef, ModuleView } from '../../api/types.ts';
import { Field } from '../../components/ui.tsx';
import { ParamsForm } from './ParamsForm.tsx';
import { type AgentChoice, TargetsEditor } from './TargetsEditor.tsx';

export function emptyJob(module: ModuleView | undefined, index: number): JobDef {
  return {
    name: `job-${index + 1}`,
    module: module?.name ?? '',
    params: {},
    targets: module?.runsOn === 'agent' ? { all: true } : { server: true },
    delay: '0s',
    startIf: 'always',
    timeout: '2h',
    retry: { attempts: 0, backoff: '1m' },
  };
}

/**
 * One step of a task: module and its params, targets, and the sequencing fields (delay after
 * the run starts, start condition on the previous job, timeout, retries).
 */
export function JobEditor(props: {
  job: JobDef;
  index: number;
  modules: ModuleView[];
  commands: CommandView[];
  agents: AgentChoice[] | null;
  onChange(next: JobDef): void;
}) {
  const { job, index } = props;
  const set = (patch: Partial<JobDef>) => props.onChange({ ...job, ...patch });
  const module = props.modules.find((m) => m.name === job.module);
  // The command module's args are the chosen catalog command's params.
  const command = job.module === 'command' ? props.commands.find((c) => c.name === job.params.command) : undefined;
  const overrides = command ? { args: { type: 'object', properties: command.params } } : undefined;
  const prefix = `Job ${index + 1}`;
  return (
    <div className="job-editor">
      <div className="row">
        <Field name={`jobs[${index}].name`} label={`${prefix} name`}>
          <input value={job.name} onChange={(e) => set({ name: e.target.value })} />
        </Field>
        <Field name={`jobs[${index}].module`} label={`${prefix} module`} hint={module?.description}>
          <select value={job.module} onChange={(e) => set({ module: e.target.value, params: {} })}>
            {module ? null : <option value="">choose…</option>}
            {props.modules.map((m) => (
              <option key={m.name} value={m.name}>
                {m.title} ({m.name})
              </option>
            ))}
          </select>
        </Field>
      </div>
      {module ? (
        <ParamsForm
          key={job.module}
          schema={module.paramsSchema}
          value={job.params}
          overrides={overrides}
          suggestions={job.module === 'command' ? { command: props.commands.map((c) => c.name) } : undefined}
          onChange={(params) => set({ params: params ?? {} })}
          label={`${prefix} params`}
          path={`jobs[${index}].params`}
        />
      ) : null}
      <TargetsEditor
        name={`job-${index}`}
        path={`jobs[${index}].targets`}
        value={job.targets}
        agents={props.agents}
        onChange={(targets) => set({ targets })}
      />
      <div className="row">
        <Field name={`jobs[${index}].delay`} label="Delay" hint="after the run starts">
          <input value={job.delay} onChange={(e) => set({ delay: e.target.value })} />
        </Field>
        <Field name={`jobs[${index}].startIf`} label="Start if" hint="outcome of the previous job">
          <select value={job.startIf} onChange={(e) => set({ startIf: e.target.value as JobDef['startIf'] })}>
            <option value="always">always</option>
            <option value="success">it succeeded</option>
            <option value="failure">it failed</option>
          </select>
        </Field>
        <Field name={`jobs[${index}].timeout`} label="Timeout">
          <input value={job.timeout} onChange={(e) => set({ timeout: e.target.value })} />
        </Field>
        <Field name={`jobs[${index}].retry.attempts`} label="Retries" hint="extra attempts after a failure">
          <input
            type="number"
            min={0}
            max={100}
            value={job.retry.attempts}
            onChange={(e) => set({ retry: { ...job.retry, attempts: Number(e.target.value) } })}
          />
        </Field>
        <Field name={`jobs[${index}].retry.backoff`} label="Retry backoff">
          <input
            value={job.retry.backoff}
            onChange={(e) => set({ retry: { ...job.retry, backoff: e.target.value } })}
          />
        </Field>
      </div>
    </div>
  );
}
