import { get, getAll } from '../../api/client.ts';
import type { InventoryView as Inventory, InventoryHistoryView } from '../../api/types.ts';
import { Loaded, Time } from '../../components/ui.tsx';
import { useResource } from '../../lib/use-resource.ts';

/** The agent's latest inventory as a readable tree, and what changed between inventories. */
export function InventoryView({ agentId }: { agentId: string }) {
  const inventory = useResource(`inventory-${agentId}`, () => get<Inventory>(`/api/v1/agents/${agentId}/inventory`));
  const history = useResource(`inventory-history-${agentId}`, () =>
    getAll<InventoryHistoryView>(`/api/v1/agents/${agentId}/inventory/history`),
  );
  if (inventory.error?.status === 404 && !inventory.error.missingRoute) {
    return <p className="muted">No inventory reported yet: run an inventory task on this agent.</p>;
  }
  return (
    <Loaded data={inventory.data} error={inventory.error} what="Inventory">
      {(inv) => (
        <div className="inventory">
          <p className="muted">
            Collected <Time iso={inv.collectedAt} />
          </p>
          <Tree value={inv.inventory} />
          {history.data && history.data.length > 0 ? (
            <>
              <h4>Changes</h4>
              <ol className="inv-history" reversed>
                {[...history.data].reverse().map((entry) => (
                  <li key={entry.id}>
                    <Time iso={entry.at} />:{' '}
                    {entry.changes
                      .map((c) => `${c.path} ${JSON.stringify(c.from ?? null)} → ${JSON.stringify(c.to ?? null)}`)
                      .join('; ') || 'first inventory'}
                  </li>
                ))}
              </ol>
            </>
          ) : null}
        </div>
      )}
    </Loaded>
  );
}

function Tree({ value }: { value: unknown }) {
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) return <span>{value.join(', ')}</span>;
    return (
      <ol className="inv-list">
        {value.map((item, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a static rendering
          <li key={i}>
            <Tree value={item} />
          </li>
        ))}
      </ol>
    );
  }
  if (typeof value === 'object' && value !== null) {
    return (
      <dl className="inv-tree">
        {Object.entries(value).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>
              <Tree value={v} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  return <span>{value === null ? '—' : String(value)}</span>;
}
