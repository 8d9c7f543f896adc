import type { Clock } from '../core/clock.ts';
import type { EngineEvent } from './context.ts';

/** Where look() stands when its read began: an org is only marked quiet by a read no opening overtook. */
export interface JoinLook {
  generation: number;
  at: number;
}

/**
 * Which orgs had no open late-join run when last read, so their agents' contacts skip the
 * read (late-join.ts joinLate): a fleet contacting every second would otherwise pay one
 * read per contact for runs that hardly ever exist. The store stays the truth: a window
 * opened by a run of this node (its run event), or a wake of another node's (a run that
 * opened one signals it: peers.ts), forgets every quiet org, and a read that began before
 * that opening marks nothing. Where other nodes share the store, a quiet org is read again
 * after `recheckMs` anyway: a lost signal delays a late join by one poll interval, as it
 * delays everything else there; on a store of one node, the events are complete.
 */
export class JoinHint {
  private generation = 0;
  private readonly quiet = new Map<string, JoinLook>();

  constructor(
    private readonly clock: Clock,
    private readonly recheckMs: number,
  ) {}

  /** Whether a contact of the org's agents must read its open runs. */
  mayBeOpen(orgId: string): boolean {
    const seen = this.quiet.get(orgId);
    return !seen || seen.generation !== this.generation || this.clock.monotonic() - seen.at >= this.recheckMs;
  }

  /** Taken before the read whose answer may go to quiet(). */
  look(): JoinLook {
    return { generation: this.generation, at: this.clock.monotonic() };
  }

  /** The read begun at `look` found no open run of the org. */
  quietSince(orgId: string, look: JoinLook): void {
    if (look.generation === this.generation) this.quiet.set(orgId, look);
  }

  /** A run that may have opened a join window (its event here), or another node woke this one. */
  opened(): void {
    this.generation++;
    this.quiet.clear();
  }

  /** Sees this node's events: a run with a join window forgets what was quiet. */
  observe(event: EngineEvent): void {
    if (event.type === 'run' && event.run.joinUntil != null) this.opened();
  }
}
