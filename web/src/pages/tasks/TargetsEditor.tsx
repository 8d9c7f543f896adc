import { Field } from '../../components/ui.tsx';

export interface AgentChoice {
  id: string;
  name: string;
}

type Targets = Record<string, unknown>;
const KINDS = [
  { kind: 'server', label: 'the server' },
  { kind: 'agents', label: 'chosen agents' },
  { kind: 'tags', label: 'agents with tags' },
  { kind: 'all', label: 'every agent' },
] as const;

const kindOf = (t: Targets) => KINDS.find((k) => k.kind in t)?.kind ?? 'server';
const listText = (v: unknown) => (Array.isArray(v) ? v.join(', ') : '');
const listOf = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Where a job runs: `{server: true}`, `{agents: [ids]}`, `{tags: [...]}` or `{all: true}`;
 * an agent selector may keep its runs open to late joiners (`lateJoin`), which a new
 * selection keeps.
 */
export function TargetsEditor(props: {
  name: string;
  /** The selector's place in the task, as the server's messages name it ("jobs[0].targets"). */
  path: string;
  value: Targets;
  agents: AgentChoice[] | null;
  onChange(next: Targets): void;
}) {
  const kind = kindOf(props.value);
  const lateJoin = typeof props.value.lateJoin === 'string' ? props.value.lateJoin : '';
  const select = (selector: Targets) =>
    props.onChange('server' in selector || !lateJoin ? selector : { ...selector, lateJoin });
  const choose = (k: string) => select(k === 'server' || k === 'all' ? { [k]: true } : { [k]: [] as string[] });
  const chosen = (props.value.agents as string[] | undefined) ?? [];
  return (
    <fieldset className="targets">
      <legend>Targets</legend>
      <div className="radios-inline">
        {KINDS.map((k) => (
          <label key={k.kind} className="check">
            <input
              type="radio"
              name={`${props.name}-targets`}
              checked={kind === k.kind}
              onChange={() => choose(k.kind)}
            />
            {k.label}
          </label>
        ))}
      </div>
      {kind === 'tags' ? (
        <Field label="Tags" hint="comma-separated; an agent with any of them is targeted">
          <input value={listText(props.value.tags)} onChange={(e) => select({ tags: listOf(e.target.value) })} />
        </Field>
      ) : null}
      {kind === 'agents' && props.agents !== null ? (
        <fieldset className="agent-choices">
          <legend>Agents</legend>
          {props.agents.length === 0 ? <p className="muted">No agent enrolled yet.</p> : null}
          {props.agents.map((a) => (
            <label key={a.id} className="check">
              <input
                type="checkbox"
                checked={chosen.includes(a.id)}
                onChange={(e) =>
                  select({
                    agents: e.target.checked ? [...chosen, a.id] : chosen.filter((id) => id !== a.id),
                  })
                }
              />
              {a.name}
            </label>
          ))}
        </fieldset>
      ) : null}
      {kind === 'agents' && props.agents === null ? (
        <Field label="Agent ids" hint="comma-separated">
          <input value={listText(props.value.agents)} onChange={(e) => select({ agents: listOf(e.target.value) })} />
        </Field>
      ) : null}
      {kind === 'server' ? null : (
        <Field
          name={`${props.path}.lateJoin`}
          label="Late joiners (optional)"
          hint='agents that match later (enrolled, tagged, enabled) join a run this long after it started, e.g. "7d"'
        >
          <input
            value={lateJoin}
            onChange={(e) => {
              const { lateJoin: _old, ...selector } = props.value;
              props.onChange(e.target.value ? { ...selector, lateJoin: e.target.value } : selector);
            }}
          />
        </Field>
      )}
    </fieldset>
  );
}
