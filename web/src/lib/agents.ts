import { useEffect, useState } from 'react';
import { getAll } from '../api/client.ts';

interface NamedAgent {
  id: string;
  name: string;
}

let cached: { at: number; names: Promise<Map<string, string>> } | null = null;
const REFRESH_MS = 10_000;

/** Agent names by id, shared by every view and refreshed at most every 10 s; empty without an agents API. */
function loadNames(force: boolean): Promise<Map<string, string>> {
  if (!cached || (force && Date.now() - cached.at > REFRESH_MS)) {
    const names = getAll<NamedAgent>('/api/v1/agents').then(
      (agents) => new Map(agents.map((a) => [a.id, a.name])),
      () => new Map<string, string>(),
    );
    cached = { at: Date.now(), names };
  }
  return cached.names;
}

/** Names for the given agent ids; an id not known yet triggers one refresh. */
export function useAgentNames(ids: readonly (string | null)[]): Map<string, string> {
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const key = [...new Set(ids.filter((id): id is string => id !== null))].sort().join(',');
  useEffect(() => {
    if (key === '') return;
    let current = true;
    loadNames(false)
      .then((known) => (key.split(',').every((id) => known.has(id)) ? known : loadNames(true)))
      .then((known) => {
        if (current) setNames(known);
      });
    return () => {
      current = false;
    };
  }, [key]);
  return names;
}

/** "server" for the server itself, else the agent's name, else the end of its id. */
export function targetLabel(agentId: string | null, names: Map<string, string>): string {
  if (agentId === null) return 'server';
  return names.get(agentId) ?? `agent …${agentId.slice(-8)}`;
}
