import type { CommandView } from '../../api/types.ts';
import { Field } from '../../components/ui.tsx';
import { parseJsonField } from '../../lib/use-action.ts';

/**
 * One check or step of a package manifest as the form edits it: its type, the one value
 * that type takes (a folder, a path or a catalog command) and, for a command, its args as
 * JSON. `manifestItems` turns them into what the deploy module's manifest rules accept
 * (src/modules/deploy/manifest.ts): `{type: 'extract', to}`, `{type: 'file-exists', path}`,
 * `{type: 'command', command, args}`.
 */
export interface ItemDraft {
  type: string;
  value: string;
  args: string;
}

type ListKind = 'steps' | 'checks';

const TYPES: Record<ListKind, { type: string; label: string }[]> = {
  steps: [
    { type: 'extract', label: 'extract the archive' },
    { type: 'command', label: 'run a catalog command' },
  ],
  checks: [
    { type: 'file-exists', label: 'file exists' },
    { type: 'file-absent', label: 'file is absent' },
    { type: 'command', label: 'catalog command succeeds' },
  ],
};

type ValueOf = { key: string; label: string; hint: string };
const COMMAND_VALUE: ValueOf = {
  key: 'command',
  label: 'command',
  hint: 'a command of the catalog that runs on agents',
};

/** The key of each type's value in the manifest, and how the form names it. */
const VALUE_OF: Record<string, ValueOf> = {
  extract: { key: 'to', label: 'to folder', hint: "relative: under each agent's package root" },
  'file-exists': { key: 'path', label: 'path', hint: 'relative to the package root, or absolute' },
  'file-absent': { key: 'path', label: 'path', hint: 'relative to the package root, or absolute' },
  command: COMMAND_VALUE,
};

/** A package starts with the archive extracted to a folder named after it (relative, so always allowed). */
export const defaultSteps = (): ItemDraft[] => [{ type: 'extract', value: 'app', args: '' }];

/** The manifest's `steps` or `checks`; a command's args JSON that does not parse is an error naming `steps[i].args`. */
export function manifestItems(kind: ListKind, drafts: ItemDraft[]): Record<string, unknown>[] {
  return drafts.map((draft, i) => {
    const { key } = VALUE_OF[draft.type] ?? COMMAND_VALUE;
    const item: Record<string, unknown> = { type: draft.type, [key]: draft.value.trim() };
    if (draft.type === 'command' && draft.args.trim() !== '') {
      item.args = parseJsonField(`${kind}[${i}].args`, draft.args);
    }
    return item;
  });
}

/** The ordered steps (or checks) of a package, each row named by its position as the server names it. */
export function ManifestItemsEditor(props: {
  kind: ListKind;
  items: ItemDraft[];
  commands: CommandView[];
  onChange(next: ItemDraft[]): void;
}) {
  const { kind, items, onChange } = props;
  const noun = kind === 'steps' ? 'Step' : 'Check';
  const update = (i: number, patch: Partial<ItemDraft>) =>
    onChange(items.map((item, j) => (j === i ? { ...item, ...patch } : item)));
  const agentCommands = props.commands.filter((c) => c.runsOn !== 'server');
  return (
    <fieldset className="manifest-items">
      <legend>{kind === 'steps' ? 'Steps (in order)' : 'Checks (all satisfied: already installed)'}</legend>
      {items.length === 0 ? (
        <p className="muted">{kind === 'steps' ? 'A package needs one step at least.' : 'None: always install.'}</p>
      ) : null}
      {items.map((item, i) => {
        const value = VALUE_OF[item.type] ?? COMMAND_VALUE;
        const at = `${kind}[${i}]`;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place, by position
          <div className="row" key={i}>
            <Field name={`${at}.type`} label={`${noun} ${i + 1}`}>
              <select value={item.type} onChange={(e) => update(i, { type: e.target.value, value: '', args: '' })}>
                {TYPES[kind].map((t) => (
                  <option key={t.type} value={t.type}>
                    {t.label}
                  </option>
                ))}
              </select>
            </Field>
            <Field name={`${at}.${value.key}`} label={`${noun} ${i + 1} ${value.label}`} hint={value.hint}>
              {item.type === 'command' ? (
                <select value={item.value} onChange={(e) => update(i, { value: e.target.value })}>
                  <option value="">choose…</option>
                  {agentCommands.map((c) => (
                    <option key={c.name} value={c.name}>
                      {c.name}
                    </option>
                  ))}
                </select>
              ) : (
                <input required value={item.value} onChange={(e) => update(i, { value: e.target.value })} />
              )}
            </Field>
            {item.type === 'command' ? (
              <Field name={`${at}.args`} label={`${noun} ${i + 1} args (JSON)`} hint='e.g. {"path": "setup.sh"}'>
                <input className="mono" value={item.args} onChange={(e) => update(i, { args: e.target.value })} />
              </Field>
            ) : null}
            <button type="button" className="link-button" onClick={() => onChange(items.filter((_, j) => j !== i))}>
              Remove {noun.toLowerCase()} {i + 1}
            </button>
          </div>
        );
      })}
      <button
        type="button"
        onClick={() => onChange([...items, { type: TYPES[kind][0]?.type ?? 'command', value: '', args: '' }])}
      >
        Add a {noun.toLowerCase()}
      </button>
    </fieldset>
  );
}
