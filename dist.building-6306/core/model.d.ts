/**
 * Domain records as the engine, the API and the stores see them. Times are epoch
 * milliseconds (numbers) inside the product and ISO-8601 strings at the edges (API, files).
 */
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export declare const WEEKDAYS: readonly Weekday[];
/** A task's schedule, exactly the Contract's JSON shapes. `tz` defaults to the server's zone. */
export type ScheduleSpec = {
    kind: 'manual';
    tz?: string;
} | {
    kind: 'immediate';
    tz?: string;
} | {
    kind: 'once';
    at: string;
    tz?: string;
} | {
    kind: 'interval';
    every: string | number;
    start?: string;
    tz?: string;
} | {
    kind: 'cron';
    expr: string;
    tz?: string;
} | {
    kind: 'weekly';
    days: Weekday[];
    at: string;
    tz?: string;
} | {
    kind: 'monthly';
    day: number;
    at: string;
    tz?: string;
} | {
    kind: 'monthly';
    nth: number;
    weekday: Weekday;
    at: string;
    tz?: string;
} | {
    kind: 'rrule';
    rule: string;
    start?: string;
    tz?: string;
};
/** Weekly allowed window, in the task's zone. day 0 = Monday; "to" may be "24:00". */
export interface Timeslot {
    day: number;
    from: string;
    to: string;
}
/** Absolute forbidden range [from, to). */
export interface Blackout {
    from: string;
    to: string;
}
export type MisfirePolicy = 'skip' | 'once' | 'all';
export type ConcurrencyPolicy = 'allow' | 'forbid' | 'replace' | 'queue';
export type StartIf = 'always' | 'success' | 'failure';
/**
 * What happens to work still running when its task's window (timeslots, blackouts,
 * activeTill) closes: `finish` lets it run on; `cancel` stops it (cancelled, reason
 * timeslot_closed); `pause` stops chunked server work at its next checkpoint and resumes it
 * at the next opening (agent jobs cannot be paused: for them it is `finish`).
 */
export type TimeslotEnd = 'finish' | 'cancel' | 'pause';
export declare const TIMESLOT_ENDS: readonly TimeslotEnd[];
export type TaskMode = 'pull' | 'push';
/** Who a job runs on. Resolved to concrete targets when a run is created. */
export type TargetSpec = {
    server: true;
} | {
    agents: string[];
} | {
    tags: string[];
} | {
    all: true;
};
export interface JobDef {
    name: string;
    module: string;
    params: Record<string, unknown>;
    targets: TargetSpec;
    /** Seconds after the run started before this job may start (seed 001's t+2h). */
    delaySeconds: number;
    startIf: StartIf;
    timeoutSeconds: number;
    /** Extra attempts after the first one fails; 0 = no retry. */
    retryAttempts: number;
    retryBackoffSeconds: number;
}
export interface TaskDef {
    name: string;
    description: string;
    enabled: boolean;
    mode: TaskMode;
    fallback: 'pull' | 'error';
    schedule: ScheduleSpec;
    timeslots: Timeslot[];
    /** What running work does when the window closes (default finish). */
    timeslotEnd: TimeslotEnd;
    blackouts: Blackout[];
    activeFrom: string | null;
    activeTill: string | null;
    misfire: MisfirePolicy;
    concurrency: ConcurrencyPolicy;
    /** Seconds a prepared jobstate may wait for its agent before it errors. */
    expireAfterSeconds: number;
    jobs: JobDef[];
    /** Who is told how its runs end; absent = the org's default rules, [] = no one. */
    notify?: NotifyRule[];
}
/** A run end as notification rules name it; `error` covers every failed end (halted, timeout too). */
export type NotifyOn = 'error' | 'halted' | 'missed' | 'timeout' | 'finished';
export declare const NOTIFY_ON: readonly NotifyOn[];
/** Tell `channels` (by name) when a run ends as `on` says: every time, or when its outcome changed. */
export interface NotifyRule {
    on: NotifyOn[];
    channels: string[];
    when: 'always' | 'changed';
}
export interface Task extends TaskDef {
    id: string;
    orgId: string;
    /** Bumped on every change; the trigger remembers which version it was computed for. */
    version: number;
    createdAt: number;
    updatedAt: number;
}
export declare const DEFAULT_JOB_TIMEOUT_SECONDS: number;
export declare const DEFAULT_EXPIRE_AFTER_SECONDS: number;
/**
 * Run states.
 *   pending ──(its start time comes and the concurrency policy lets it)──▶ running
 *   pending ──(forbid policy finds another run active)──▶ skipped
 *   running ──(all jobstates terminal)──▶ finished (none errored) | error
 *   pending/running ──(user or `replace` policy)──▶ cancelled
 *   missed: firings the misfire policy dropped while the server was down (never ran): one
 *     run per task per outage, fireAt its first such firing, `missed` the count and the last.
 */
export type RunStatus = 'pending' | 'running' | 'finished' | 'error' | 'cancelled' | 'skipped' | 'missed';
export declare const TERMINAL_RUN_STATUSES: readonly RunStatus[];
export declare const RUN_STATUSES: readonly RunStatus[];
export type RunReason = 'schedule' | 'manual' | 'immediate' | 'catch-up';
/** What a `missed` run stands for: `count` firings of one outage, from its fireAt to `lastFireAt`. */
export interface MissedFirings {
    count: number;
    lastFireAt: number;
}
export interface Run {
    id: string;
    orgId: string;
    taskId: string;
    taskVersion: number;
    reason: RunReason;
    /** The firing this run is for (unique per task for scheduled runs). */
    fireAt: number;
    /** When the run may start; later than fireAt for spread-out catch-up runs. */
    startAt: number;
    status: RunStatus;
    statusReason: string | null;
    createdAt: number;
    startedAt: number | null;
    finishedAt: number | null;
    createdBy: string | null;
    /** On a `missed` run: how many firings it records (fireAt is the first), else null. */
    missed: MissedFirings | null;
}
/**
 * Jobstate states (the seed's PREPARED/RUNNING/FINISHED/INERROR made explicit):
 *   waiting ──(delay elapsed, previous job done & startIf met, in timeslot, module lock free)──▶ prepared
 *   prepared ──(an agent contact or the server executor claims it)──▶ running
 *   running ──▶ finished | error
 *   running ──(its window closed, task timeslotEnd cancel)──▶ cancelled (timeslot_closed)
 *   running ──(chunk returned a checkpoint)──▶ prepared   (resumes at the next claim)
 *   error ──(attempts left)──▶ waiting with attempt + 1 after the backoff
 *   prepared ──(its window closed before anyone claimed it)──▶ waiting (timeslot_closed)
 *   waiting/prepared ──▶ cancelled | skipped
 * `reason` always says why a jobstate is where it is when that is not obvious
 * (postponed, timeslot_closed, timeout, module_failed, cancelled_by_user, …).
 */
export type JobstateStatus = 'waiting' | 'prepared' | 'running' | 'finished' | 'error' | 'cancelled' | 'skipped';
export declare const TERMINAL_JOBSTATE_STATUSES: readonly JobstateStatus[];
/** Not ended yet: a run with one of these is not over. */
export declare const OPEN_JOBSTATE_STATUSES: readonly JobstateStatus[];
export declare const JOBSTATE_STATUSES: readonly JobstateStatus[];
/** Machine-readable reasons, so "why didn't it run" always has an answer. */
export type JobstateReason = 'delay' | 'waiting_previous' | 'timeslot_closed' | 'postponed' | 'retry_backoff' | 'run_queued' | 'start_if_unmet' | 'timeout' | 'expired' | 'agent_unreachable' | 'agent_lost' | 'module_failed' | 'module_unknown'
/** A chunk of this server job ran past its time budget (still running, or resumed later). */
 | 'over_budget' | 'interrupted' | 'cancelled_by_user' | 'replaced' | 'overlap' | 'unneeded';
/**
 * Who executes a jobstate, fixed when it is created: the server (its own jobs, and agent
 * targets of modules whose `agentTargetsRunOn` is 'server', such as wake-on-LAN) or the agent.
 */
export type JobstateRunner = 'server' | 'agent';
/** The latest progress an agent reported for the running attempt. */
export interface JobstateProgress {
    percent: number;
    message: string | null;
    at: number;
}
export interface Jobstate {
    id: string;
    runId: string;
    orgId: string;
    taskId: string;
    jobIndex: number;
    job: string;
    module: string;
    /** null = runs on the server. */
    agentId: string | null;
    runner: JobstateRunner;
    status: JobstateStatus;
    reason: JobstateReason | null;
    attempt: number;
    params: Record<string, unknown>;
    /** Earliest time it may become prepared; null while its run is not started. */
    dueAt: number | null;
    /**
     * When the task window it was prepared in closes (null: it never does). Past it, nobody
     * claims it any more, and its task's timeslotEnd decides about started work.
     */
    windowClosesAt: number | null;
    timeoutSeconds: number;
    preparedAt: number | null;
    startedAt: number | null;
    finishedAt: number | null;
    leaseOwner: string | null;
    leaseExpiresAt: number | null;
    checkpoint: unknown;
    result: unknown;
    /** Last agent event seq applied for the current attempt (0 = none); events at or below it are duplicates. */
    eventSeq: number;
    /**
     * How long the current attempt has run, in ms, as measured by whoever ran it: for a server
     * job the sum of its chunks' monotonic run times (what its timeout bounds, whichever node
     * ran them); 0 until a chunk ended, and for agent jobs (their agent measures their timeout).
     */
    elapsedMs: number;
    progress: JobstateProgress | null;
    updatedAt: number;
}
export type LogStream = 'stdout' | 'stderr' | 'info';
export interface LogLine {
    ts: number;
    stream: LogStream;
    line: string;
}
export type Role = 'admin' | 'org-admin' | 'operator' | 'viewer';
/** `taskwarden` = our agent; `fusioninventory` = an unmodified FusionInventory agent. */
export type AgentKind = 'taskwarden' | 'fusioninventory';
/** An enrolled machine. Identified by its credential only; deviceId is what it calls itself. */
export interface Agent {
    id: string;
    orgId: string;
    kind: AgentKind;
    /** Stable id the machine sends; unique in the org (enrolling it again needs an admin's leave). */
    deviceId: string;
    name: string;
    /** What targets select it by: its enrolment token's tags, then whatever admins set. */
    tags: string[];
    /** Tags the agent asked for at enrolment: shown to admins, who may adopt them; never used for targeting. */
    requestedTags: string[];
    /** SHA-256 hex of the agent's secret (shown once, at enrolment). */
    secretHash: string;
    enabled: boolean;
    version: string | null;
    /** Module names the agent said it can run at its last contact. */
    modules: string[];
    /** Where it listens for push wakes (`http://host:port`), null for pull-only agents. */
    wakeUrl: string | null;
    contactSeconds: number;
    lastContactAt: number | null;
    /** Why the last push wake failed (null once one succeeds), for "why didn't it run". */
    lastWakeError: string | null;
    lastWakeErrorAt: number | null;
    /**
     * Until when an administrator allows this device to enrol again (a reinstalled machine);
     * null = not allowed. One enrolment uses it up.
     */
    reenrolUntil: number | null;
    /**
     * The enrolment token it last enrolled with (null for agents enrolled before this was
     * kept). A FusionInventory agent authenticates with it on every call: no other token names it.
     */
    enrolmentTokenId: string | null;
    createdAt: number;
}
export interface EnrolmentToken {
    id: string;
    orgId: string;
    /** SHA-256 hex of the token (shown once). */
    hash: string;
    /** Tags given to agents enrolled with it. */
    tags: string[];
    usesLeft: number;
    expiresAt: number;
    createdAt: number;
    createdBy: string | null;
    revokedAt: number | null;
}
