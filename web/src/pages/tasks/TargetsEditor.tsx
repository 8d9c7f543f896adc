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

/** Where a job runs: `{server: true}`, `{agents: [ids]}`, `{tags: [...]}` or `{all: true}`. */
export function TargetsEditor(props: {
  name: string;
  value: Targets;
  agents: AgentChoice[] | null;
  onChange(next: Targets): void;
}) {
  const kind = kindOf(props.value);
  const choose = (k: string) => props.onChange(k === 'server' || k === 'all' ? { [k]: true } : { [k]: [] as string[] });
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
          <input
            value={listText(props.value.tags)}
            onChange={(e) => props.onChange({ tags: listOf(e.target.value) })}
          />
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
                  props.onChange({
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
          <input
            value={listText(props.value.agents)}
            onChange={(e) => props.onChange({ agents: listOf(e.target.value) })}
          />
        </Field>
      ) : null}
    </fieldset>
  );
}
