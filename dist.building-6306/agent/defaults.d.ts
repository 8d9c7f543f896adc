export declare const AGENT_DEFAULTS: {
    readonly data: "./taskwarden-agent";
    readonly listenHost: "127.0.0.1";
    readonly concurrency: 2;
};
/** Where the agent reads its enrolment token when no flag gives it (any local user can read argv in ps). */
export declare const ENROL_TOKEN_ENV = "TASKWARDEN_ENROL_TOKEN";
