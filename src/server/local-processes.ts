/**
 * LocalProcesses on Linux's /proc: a process is its pid and its start time (field 22 of
 * /proc/<pid>/stat, clock ticks since boot), so a pid the kernel gave to another process
 * since is told apart; the machine is its hostname and boot id (processes do not outlive
 * a reboot). Where /proc is missing, `machine` is null: nothing is recorded or killed.
 *
 * Which processes belong to a recorded program: the members of its process group while the
 * group's leader is still the recorded process (Linux does not give a pid to a new process
 * while a group of that id has members, so members of a group whose leader exited are ours
 * too, but they are only taken when they also carry the mark, to stay on the safe side),
 * and every process whose environment carries the program's mark, wherever it moved.
 */
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type LocalProcesses,
  PROCESS_MARK_VARIABLE,
  type ProcessIdentity,
  type RecordedGroup,
  type StoppedGroup,
} from '../core/ports/processes.ts';

interface ProcStat extends ProcessIdentity {
  /** R, S, D, Z (zombie)… */
  state: string;
  pgrp: number;
}

/** How often a stopped group is looked at again while it dies. */
const POLL_MS = 50;
/** How long processes get to die after SIGKILL before they count as survivors. */
const KILL_WAIT_MS = 2_000;

/** The running machine's processes, or a `machine: null` stand-in where there is no /proc. */
export function localProcesses(): LocalProcesses {
  const bootId = readText('/proc/sys/kernel/random/boot_id')?.trim();
  const self = readStat(process.pid);
  if (!bootId || !self) return { ...UNTRACKED, self: () => ({ pid: process.pid, startTicks: 0 }) };
  return {
    machine: { hostname: hostname(), bootId },
    self: () => ({ pid: self.pid, startTicks: self.startTicks }),
    identify(pid) {
      const stat = readStat(pid);
      return stat && stat.state !== 'Z' ? { pid: stat.pid, startTicks: stat.startTicks } : null;
    },
    stopGroup: (group, graceMs) => stopGroup(group, graceMs, self),
  };
}

const UNTRACKED = {
  machine: null,
  identify: () => null,
  stopGroup: async () => ({ found: 0, survivors: [] }),
} as const;

async function stopGroup(group: RecordedGroup, graceMs: number, self: ProcStat): Promise<StoppedGroup> {
  const found = await ownedBy(group, self);
  if (found.length === 0) return { found: 0, survivors: [] };
  signal(group, found, 'SIGTERM');
  const until = performance.now() + graceMs;
  while (performance.now() < until && found.some(stillThere)) await sleep(POLL_MS);
  // Looked for again: what the program forked meanwhile is killed too.
  const left = await ownedBy(group, self);
  signal(group, left, 'SIGKILL');
  const killedBy = performance.now() + KILL_WAIT_MS;
  while (performance.now() < killedBy && left.some(stillThere)) await sleep(POLL_MS);
  return { found: found.length, survivors: left.filter(stillThere).map((p) => p.pid) };
}

/** The live processes of the recorded program (never this process or its own group). */
async function ownedBy(group: RecordedGroup, self: ProcStat): Promise<ProcStat[]> {
  const leaderIsOurs = isOurLeader(group);
  const owned: ProcStat[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat || stat.state === 'Z' || stat.pid === self.pid || stat.pgrp === self.pgrp) continue;
    if ((leaderIsOurs && stat.pgrp === group.pgid) || (await carriesMark(stat.pid, group.mark))) owned.push(stat);
  }
  return owned;
}

function isOurLeader(group: RecordedGroup): boolean {
  if (group.pgid === null || group.startTicks === null) return false;
  return readStat(group.pgid)?.startTicks === group.startTicks;
}

/** The whole group while its leader is ours; each other process by pid, once it is checked to be the same process. */
function signal(group: RecordedGroup, processes: readonly ProcStat[], sig: NodeJS.Signals): void {
  const wholeGroup = isOurLeader(group);
  if (wholeGroup) kill(-(group.pgid as number), sig);
  for (const p of processes) {
    if (wholeGroup && p.pgrp === group.pgid) continue;
    if (stillThere(p)) kill(p.pid, sig);
  }
}

/** The same process (same start time) is still alive: a recycled pid does not count. */
function stillThere(p: ProcessIdentity): boolean {
  const now = readStat(p.pid);
  return now !== null && now.state !== 'Z' && now.startTicks === p.startTicks;
}

async function carriesMark(pid: number, mark: string): Promise<boolean> {
  try {
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8');
    return environ.split('\0').includes(`${PROCESS_MARK_VARIABLE}=${mark}`);
  } catch {
    // Gone, or another user's process (EACCES): not one we started.
    return false;
  }
}

function kill(target: number, sig: NodeJS.Signals): void {
  try {
    process.kill(target, sig);
  } catch {
    // ESRCH: already gone. EPERM: not ours to kill; reported as a survivor.
  }
}

function readStat(pid: number): ProcStat | null {
  const text = readText(`/proc/${pid}/stat`);
  if (text === null) return null;
  // The command name (field 2) is in parentheses and may hold spaces and parentheses itself.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const pgrp = Number(fields[2]);
  const startTicks = Number(fields[19]);
  if (state === undefined || !Number.isInteger(pgrp) || !Number.isInteger(startTicks)) return null;
  return { pid, state, pgrp, startTicks };
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
