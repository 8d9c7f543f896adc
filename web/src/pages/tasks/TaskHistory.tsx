import { getAll } from '../../api/client.ts';
import type { HistoryView } from '../../api/types.ts';
import { Loaded, Time } from '../../components/ui.tsx';
import { diffLines, jsonLines, withContext } from '../../lib/line-diff.ts';
import { useResource } from '../../lib/use-resource.ts';

type FieldChange = { from: unknown; to: unknown };

/** Who changed the task, when, and what: each changed field as a line diff of its JSON. */
export function TaskHistory({ taskId }: { taskId: string }) {
  const history = useResource(`history-${taskId}`, () => getAll<HistoryView>(`/api/v1/tasks/${taskId}/history`));
  return (
    <Loaded data={history.data} error={history.error} what="the history">
      {(entries) => (
        <ol className="history" reversed>
          {[...entries].reverse().map((entry) => (
            <li key={entry.id} className="history-entry">
              <p className="history-head">
                <strong>{entry.action}</strong> by {entry.actor ?? 'the system'}, <Time iso={entry.at} />
              </p>
              <HistoryDiff entry={entry} />
            </li>
          ))}
        </ol>
      )}
    </Loaded>
  );
}

function HistoryDiff({ entry }: { entry: HistoryView }) {
  const diff = (entry.diff ?? {}) as Record<string, unknown>;
  if (entry.action === 'create') return <p className="muted">Created with the definition of that time.</p>;
  if (entry.action === 'delete') return <p className="muted">Deleted.</p>;
  const fields = Object.entries(diff).filter(
    (e): e is [string, FieldChange] => typeof e[1] === 'object' && e[1] !== null,
  );
  if (fields.length === 0) return null;
  return (
    <dl className="diff-fields">
      {fields.map(([field, change]) => (
        <div key={field} className="diff-field" data-field={field}>
          <dt>{field}</dt>
          <dd>
            <pre className="diff">
              {withContext(diffLines(jsonLines(change.from), jsonLines(change.to))).map((line, i) =>
                line === null ? (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a static rendering
                  <span key={i} className="diff-gap">
                    {'  …\n'}
                  </span>
                ) : (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a static rendering
                  <span key={i} className={line.op === '+' ? 'diff-add' : line.op === '-' ? 'diff-del' : 'diff-same'}>
                    {`${line.op} ${line.text}\n`}
                  </span>
                ),
              )}
            </pre>
          </dd>
        </div>
      ))}
    </dl>
  );
}
