import { useEffect, useState } from 'react';
import { get, put } from '../../api/client.ts';
import type { NotifyRule } from '../../api/types.ts';
import { ErrorNote, Loaded } from '../../components/ui.tsx';
import { useSubmit } from '../../lib/use-action.ts';
import { useResource } from '../../lib/use-resource.ts';
import { useSession } from '../../session.tsx';
import { NotifyRulesEditor } from '../tasks/NotifyRulesEditor.tsx';

/** The org's default rules, for its tasks that have none of their own; org-admins change them. */
export function OrgNotifyDefaults({ org, channels }: { org: string; channels: string[] }) {
  const { canAdmin } = useSession();
  const stored = useResource(`org-notify-${org}`, () => get<{ notify: NotifyRule[] }>(`/api/v1/orgs/${org}`));
  const [rules, setRules] = useState<NotifyRule[]>([]);
  const [saved, setSaved] = useState(false);
  useEffect(() => setRules(stored.data?.notify ?? []), [stored.data]);
  const { submit, error } = useSubmit(async () => {
    setSaved(false);
    await put(`/api/v1/orgs/${org}/notify`, { notify: rules });
    setSaved(true);
  });
  return (
    <form className="card" onSubmit={submit} aria-labelledby="org-notify-title">
      <h2 id="org-notify-title">Default rules</h2>
      <p className="muted">For tasks without notification rules of their own.</p>
      <Loaded data={stored.data} error={stored.error} what="The default rules">
        {() => <NotifyRulesEditor rules={rules} channels={channels} onChange={setRules} readOnly={!canAdmin} />}
      </Loaded>
      {canAdmin ? (
        <button type="submit" className="primary">
          Save the default rules
        </button>
      ) : null}
      {saved ? <p role="status">Saved.</p> : null}
      <ErrorNote error={error} />
    </form>
  );
}
