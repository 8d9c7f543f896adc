import { type Static, Type } from 'typebox';
import { AGENT_DEFAULT_LISTEN_PORT, AGENT_LONG_POLL_MAX_SECONDS, WAKE_HEADERS } from './agent-constants.ts';
export { AGENT_DEFAULT_LISTEN_PORT, AGENT_LONG_POLL_MAX_SECONDS, WAKE_HEADERS };
export declare const EnrolBody: Type.TObject<{
    token: Type.TString;
    deviceId: Type.TString;
    name: Type.TOptional<Type.TString>;
    /** Asked for, not given: see EnrolReply.tags. */
    tags: Type.TOptional<Type.TArray<Type.TString>>;
    version: Type.TOptional<Type.TString>;
    modules: Type.TOptional<Type.TArray<Type.TString>>;
    /**
     * `http://<address>:<port>` where the agent listens for push wakes (`POST /wake`): the
     * address it calls from (loopback for an agent on the server's machine), a port above 1023.
     */
    wakeUrl: Type.TOptional<Type.TUnion<[Type.TString, Type.TNull]>>;
}>;
export type EnrolBody = Static<typeof EnrolBody>;
export declare const EnrolReply: Type.TObject<{
    agentId: Type.TString;
    /** Shown once; the server keeps only its hash. */
    secret: Type.TString;
    contactSeconds: Type.TInteger;
    /**
     * The tags the agent got (its enrolment token's). Tags asked for in the body target nothing:
     * the agent view shows them as `requestedTags`, for an administrator to adopt or not.
     */
    tags: Type.TOptional<Type.TArray<Type.TString>>;
}>;
export type EnrolReply = Static<typeof EnrolReply>;
export declare const ContactBody: Type.TObject<{
    version: Type.TString;
    modules: Type.TArray<Type.TString>;
    /** Jobstate ids the agent is running now; the reply says which of them to stop. */
    running: Type.TArray<Type.TString>;
    /** Long-poll: answer as soon as work is prepared for this agent, or after this many seconds. */
    wait: Type.TOptional<Type.TInteger>;
    /** How many new jobs the agent takes now (its free slots). */
    capacity: Type.TOptional<Type.TInteger>;
    wakeUrl: Type.TOptional<Type.TUnion<[Type.TString, Type.TNull]>>;
}>;
export type ContactBody = Static<typeof ContactBody>;
export declare const AgentJob: Type.TObject<{
    jobstate: Type.TString;
    attempt: Type.TInteger;
    module: Type.TString;
    params: Type.TRecord<"^.*$", Type.TUnknown>;
    /** What the module's server half prepared for this job (e.g. a rendered argv, package files). */
    payload: Type.TUnknown;
    timeoutSeconds: Type.TInteger;
}>;
export type AgentJob = Static<typeof AgentJob>;
export declare const ContactReply: Type.TObject<{
    jobs: Type.TArray<Type.TObject<{
        jobstate: Type.TString;
        attempt: Type.TInteger;
        module: Type.TString;
        params: Type.TRecord<"^.*$", Type.TUnknown>;
        /** What the module's server half prepared for this job (e.g. a rendered argv, package files). */
        payload: Type.TUnknown;
        timeoutSeconds: Type.TInteger;
    }>>;
    /** Running jobstates (from `running`) the agent must stop: cancelled, timed out or reassigned. */
    stop: Type.TArray<Type.TString>;
    contactSeconds: Type.TInteger;
    serverTime: Type.TString;
}>;
export type ContactReply = Static<typeof ContactReply>;
/**
 * One event of a job. `seq` increases per (jobstate, attempt) from 1; the server applies
 * each seq once, so an agent may resend its spool after a restart without duplicates.
 */
export declare const AgentEvent: Type.TUnion<[Type.TObject<{
    seq: Type.TInteger;
    ts: Type.TInteger;
    type: Type.TLiteral<"started">;
}>, Type.TObject<{
    seq: Type.TInteger;
    ts: Type.TInteger;
    type: Type.TLiteral<"log">;
    stream: Type.TUnion<[Type.TLiteral<"stdout">, Type.TLiteral<"stderr">, Type.TLiteral<"info">]>;
    line: Type.TString;
}>, Type.TObject<{
    seq: Type.TInteger;
    ts: Type.TInteger;
    type: Type.TLiteral<"progress">;
    percent: Type.TNumber;
    message: Type.TOptional<Type.TString>;
}>, Type.TObject<{
    seq: Type.TInteger;
    ts: Type.TInteger;
    type: Type.TUnion<[Type.TLiteral<"finished">, Type.TLiteral<"error">]>;
    result: Type.TOptional<Type.TUnknown>;
    reason: Type.TOptional<Type.TString>;
}>]>;
export type AgentEvent = Static<typeof AgentEvent>;
export declare const EventsBody: Type.TObject<{
    attempt: Type.TInteger;
    events: Type.TArray<Type.TUnion<[Type.TObject<{
        seq: Type.TInteger;
        ts: Type.TInteger;
        type: Type.TLiteral<"started">;
    }>, Type.TObject<{
        seq: Type.TInteger;
        ts: Type.TInteger;
        type: Type.TLiteral<"log">;
        stream: Type.TUnion<[Type.TLiteral<"stdout">, Type.TLiteral<"stderr">, Type.TLiteral<"info">]>;
        line: Type.TString;
    }>, Type.TObject<{
        seq: Type.TInteger;
        ts: Type.TInteger;
        type: Type.TLiteral<"progress">;
        percent: Type.TNumber;
        message: Type.TOptional<Type.TString>;
    }>, Type.TObject<{
        seq: Type.TInteger;
        ts: Type.TInteger;
        type: Type.TUnion<[Type.TLiteral<"finished">, Type.TLiteral<"error">]>;
        result: Type.TOptional<Type.TUnknown>;
        reason: Type.TOptional<Type.TString>;
    }>]>>;
}>;
export type EventsBody = Static<typeof EventsBody>;
/** 200 reply; 409 = an older attempt (stop, discard), 410 = cancelled (stop the job). */
export declare const EventsReply: Type.TObject<{
    applied: Type.TInteger;
    lastSeq: Type.TInteger;
}>;
export type EventsReply = Static<typeof EventsReply>;
