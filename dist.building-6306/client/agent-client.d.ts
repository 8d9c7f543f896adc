import type { ContactBody, ContactReply, EnrolBody, EnrolReply, EventsBody } from '../protocol/agent.ts';
export interface AgentCredential {
    agentId: string;
    secret: string;
}
/** What became of a batch of events: 409 and 410 are answers the agent acts on, not failures. */
export type EventsResult = {
    status: 'applied';
    applied: number;
    lastSeq: number;
}
/** 409: the events are for an older attempt; the job must stop and its events be dropped. */
 | {
    status: 'stale';
}
/** 410: the jobstate was cancelled or has ended; the job must stop. */
 | {
    status: 'gone';
};
export declare class AgentClient {
    readonly server: string;
    private readonly http;
    private readonly credential;
    constructor(opts: {
        server: string;
        credential?: AgentCredential;
        timeoutMs?: number;
    });
    enrol(body: EnrolBody, signal?: AbortSignal): Promise<EnrolReply>;
    /** A long poll (`wait`) gets a timeout that outlasts it; `signal` ends it early (shutdown). */
    contact(body: ContactBody, signal?: AbortSignal): Promise<ContactReply>;
    events(jobstateId: string, body: EventsBody, signal?: AbortSignal): Promise<EventsResult>;
    /**
     * Starts the download of a package file, from byte `from` on (a resumed download asks for
     * a range). The caller reads the body and checks the hash.
     */
    download(sha256: string, from: number, signal?: AbortSignal): Promise<Response>;
}
/**
 * True when the server is away or overloaded (no connection, 5xx, 429): the call is worth
 * repeating later, unlike a refusal (401, 400) that repeating will not change.
 */
export declare function isServerAway(err: unknown): boolean;
