export declare const AGENT_LONG_POLL_MAX_SECONDS = 60;
export declare const AGENT_DEFAULT_LISTEN_PORT = 62354;
export declare const WAKE_HEADERS: {
    readonly timestamp: "x-taskwarden-timestamp";
    readonly nonce: "x-taskwarden-nonce";
    readonly signature: "x-taskwarden-signature";
};
