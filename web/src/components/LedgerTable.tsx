import { getAll, withQuery } from '../api/client.ts';
import type { LedgerEntryView } from '../api/types.ts';
import { useResource } from '../lib/use-resource.ts';
import { href } from '../router.ts';
import { DataTable } from './DataTable.tsx';
import { StatusBadge } from './status.tsx';
import { Loaded, Time } from './ui.tsx';

/**
 * The ledger's last outcomes: on a task's page one row per job and target ("where it stands
 * on each target"), on an agent's page one row per task and job ("last outcomes").
 */
export function LedgerTable(props: { task: string } | { agent: string }) {
  const byTask = 'task' in props;
  const query = byTask ? { task: props.task } : { agent: props.agent };
  const ledger = useResource(`ledger-${JSON.stringify(query)}`, () =>
    getAll<LedgerEntryView>(withQuery('/api/v1/ledger', query)),
  );
  return (
    <Loaded data={ledger.data} error={ledger.error} what="the last outcomes">
      {(entries) =>
        entries.length === 0 ? (
          <p className="muted">No outcome yet: nothing has ended here.</p>
        ) : (
          <DataTable columns={[byTask ? 'Target' : 'Task', 'Job', 'Outcome', 'When', 'Run']}>
            {entries.map((e) => (
              <tr key={`${e.taskId}/${e.job}/${e.agentId ?? 'server'}`} className="ledger-row">
                <td>{byTask ? targetName(e) : <a href={href(`/tasks/${e.taskId}`)}>{e.taskName}</a>}</td>
                <td>{e.job}</td>
                <td>
                  <StatusBadge status={e.outcome} reason={e.reason} />
                </td>
                <td>
                  <Time iso={e.at} />
                </td>
                <td>
                  <a href={href(`/runs/${e.runId}`)}>{e.attempt && e.attempt > 1 ? `attempt ${e.attempt}` : 'run'}</a>
                </td>
              </tr>
            ))}
          </DataTable>
        )
      }
    </Loaded>
  );
}

function targetName(e: LedgerEntryView): string {
  if (e.agentId === null) return 'server';
  return e.agentName ?? `${e.agentId} (deleted)`;
}
