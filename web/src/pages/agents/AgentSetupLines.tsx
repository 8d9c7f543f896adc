import type { CreatedEnrolmentToken } from '../../api/types.ts';

/**
 * What to do with a new enrolment token on a PC, as the server words it (the CLI prints the
 * same): install a Taskwarden agent, or the agent.cfg lines of a FusionInventory agent,
 * whose user name is the token's id.
 */
export function AgentSetupLines({ created }: { created: CreatedEnrolmentToken }) {
  return (
    <section className="agent-setup" aria-label="Agent setup">
      <p>
        Token id <code data-testid="enrolment-token-id">{created.id}</code> — a FusionInventory agent's user name.
      </p>
      <h3>Taskwarden agent</h3>
      <pre className="json" data-testid="agent-command">
        {created.setup.agentCommand}
      </pre>
      <h3>FusionInventory agent (agent.cfg)</h3>
      <pre className="json" data-testid="fusioninventory-config">
        {created.setup.fusionInventoryConfig}
      </pre>
      <p className="muted small">
        Agents are told <code>{created.setup.serverUrl}</code>: if PCs reach the server at another address, the server's{' '}
        <code>publicUrl</code> setting says which.
      </p>
    </section>
  );
}
