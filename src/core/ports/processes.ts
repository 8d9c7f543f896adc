/**
 * The processes of this machine, as far as they can be told apart: what lets a server node
 * record the programs its jobs start and, after a crash, kill exactly those and nothing
 * else. Implemented on Linux's /proc (modules/command/local-processes.ts).
 */

/** Carried in the environment of every program a server job starts; its value names the job attempt. */
export const PROCESS_MARK_VARIABLE = 'TASKWARDEN_PROCESS_MARK';

/** A process as the kernel knows it: a pid and when it started (clock ticks since boot), so a recycled pid is told apart. */
export interface ProcessIdentity {
  pid: number;
  startTicks: number;
}

/** A program's processes as recorded (CommandProcessRecord): its group, once known, and its mark. */
export interface RecordedGroup {
  pgid: number | null;
  /** The group leader's start time: the group is ours only while its leader is that process. */
  startTicks: number | null;
  mark: string;
}

export interface StoppedGroup {
  /** Processes that were found and signalled. */
  found: number;
  /** Pids still alive after SIGKILL (another user's process, which we may not signal). */
  survivors: number[];
}

export interface LocalProcesses {
  /** This machine: its hostname and the kernel's boot id; null where processes cannot be identified (no /proc). */
  readonly machine: { hostname: string; bootId: string } | null;
  /** This process. */
  self(): ProcessIdentity;
  /** The live process holding `pid` now, or null (none, or a zombie). */
  identify(pid: number): ProcessIdentity | null;
  /**
   * Stops what is left of a recorded program: the members of its group while the group's
   * leader is still the recorded process, and every process carrying its mark; SIGTERM,
   * then SIGKILL to those still there after `graceMs`. A recycled pid is never signalled,
   * nor this process or its own group.
   */
  stopGroup(group: RecordedGroup, graceMs: number): Promise<StoppedGroup>;
}

/** What a server job that starts a program calls, so a node restarted after a crash can find that program. */
export interface JobProcesses {
  /**
   * Records, before the spawn, that this attempt starts a program; returns the variables
   * its environment must carry (its mark). Throws when it cannot be recorded: then nothing
   * may be started.
   */
  launching(): Promise<Record<string, string>>;
  /** The program started as the leader of its own process group `pid`: recorded before it counts as started. */
  started(pid: number): Promise<void>;
  /** Its group is gone: the record is dropped. Never throws. */
  ended(): Promise<void>;
}
