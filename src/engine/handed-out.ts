import type { Jobstate } from '../core/model.ts';

/** Copies kept at most: a fleet's jobs in hand at once, far more than one node hands out between two reports. */
const MAX_KEPT = 10_000;

/**
 * The jobstates this node just handed to agents, as its claim wrote them, until the first
 * events call of each takes its copy: an agent reports a job (a quick one started and
 * finished at once) in one call soon after its contact, and reading the row back cost that
 * call a statement (fleet bench: one read of every jobstate). A copy is taken once; a
 * later call reads the store. A copy gone stale (the job cancelled, lost, or taken over
 * meanwhile) does no harm: the events' write is fenced by status, attempt and seq, so it is
 * refused, and the call's next round reads the store. The oldest copies go first past
 * MAX_KEPT: a job whose agent never reports is not kept.
 */
export class HandedOut {
  private readonly byId = new Map<string, Jobstate>();

  constructor(private readonly max = MAX_KEPT) {}

  keep(js: Jobstate): void {
    this.byId.delete(js.id);
    this.byId.set(js.id, js);
    if (this.byId.size > this.max) this.byId.delete(this.byId.keys().next().value as string);
  }

  /** The copy of `id`, removed; undefined when there is none. */
  take(id: string): Jobstate | undefined {
    const js = this.byId.get(id);
    if (js) this.byId.delete(id);
    return js;
  }
}
