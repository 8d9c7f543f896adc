import { useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { AgentView } from '../../api/types.ts';
import { ErrorNote, Time } from '../../components/ui.tsx';
import { useSession } from '../../session.tsx';

/**
 * "Allow re-enrolment": an enrolment with an enrolled agent's device id is refused unless an
 * admin allows it here (a reinstalled machine); the agent then keeps its id, history and
 * pending jobs. The leave lasts 7 days and serves one enrolment.
 */
export function AgentReenrol({ agent, onSaved }: { agent: AgentView; onSaved(agent: AgentView): void }) {
  const { canAdmin } = useSession();
  const [error, setError] = useState<ApiError | null>(null);
  const until = agent.reenrolAllowedUntil;
  const change = async (method: 'POST' | 'DELETE') => {
    setError(null);
    try {
      onSaved(
        await api<AgentView>(method, `/api/v1/agents/${agent.id}/allow-reenrol`, method === 'POST' ? {} : undefined),
      );
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'client', String(err)));
    }
  };
  return (
    <section className="row agent-reenrol" aria-label="Re-enrolment">
      <p data-testid="reenrol-state">
        {until ? (
          <>
            May enrol again (once) until <Time iso={until} />
          </>
        ) : (
          'Enrolling again with its device id is refused.'
        )}
      </p>
      {canAdmin ? (
        <button type="button" onClick={() => change(until ? 'DELETE' : 'POST')}>
          {until ? 'Withdraw re-enrolment' : 'Allow re-enrolment'}
        </button>
      ) : null}
      <ErrorNote error={error} />
    </section>
  );
}
