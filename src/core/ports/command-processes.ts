/**
 * A program a server job started, recorded before it counts as started (a row before the
 * spawn, its process group right after) so that a node restarted after a crash, on the same
 * machine, finds and kills what its dead predecessor left running before any retry.
 */
export interface CommandProcessRecord {
  jobstateId: string;
  attempt: number;
  /** The claim that started it (the jobstate's lease owner then). */
  leaseOwner: string;
  /** The machine: its hostname and the kernel's boot id (processes do not outlive a reboot). */
  hostname: string;
  bootId: string;
  /** The node process that started it: alive while a process with this pid and start time is. */
  ownerPid: number;
  ownerStartTicks: number;
  /** The value of the variable its environment carries, found in every process it started (unless cleared). */
  mark: string;
  /** Its process group (the leader's pid) and the leader's start time; null until spawned. */
  pgid: number | null;
  startTicks: number | null;
  createdAt: number;
}

export interface CommandProcessRepo {
  /** Records a program about to start; (jobstateId, attempt) is unique. */
  add(record: CommandProcessRecord): Promise<void>;
  /** Its process group started: false when the record is gone. */
  setGroup(jobstateId: string, attempt: number, group: { pgid: number; startTicks: number }): Promise<boolean>;
  get(jobstateId: string, attempt: number): Promise<CommandProcessRecord | null>;
  /** Every record of that machine's hostname, oldest first. */
  listOnHost(hostname: string): Promise<CommandProcessRecord[]>;
  remove(jobstateId: string, attempt: number): Promise<void>;
}
