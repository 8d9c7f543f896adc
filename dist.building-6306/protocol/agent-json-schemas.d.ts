export declare const AGENT_JSON_SCHEMAS: {
    enrolReply: {
        type: string;
        required: string[];
        properties: {
            agentId: {
                type: string;
                minLength: number;
                maxLength: number;
            };
            secret: {
                type: string;
            };
            contactSeconds: {
                type: string;
            };
            tags: {
                type: string;
                items: {
                    type: string;
                };
            };
        };
    };
    contactReply: {
        type: string;
        required: string[];
        properties: {
            jobs: {
                type: string;
                items: {
                    type: string;
                    required: string[];
                    properties: {
                        jobstate: {
                            type: string;
                            minLength: number;
                            maxLength: number;
                        };
                        attempt: {
                            type: string;
                            minimum: number;
                        };
                        module: {
                            type: string;
                        };
                        params: {
                            type: string;
                            patternProperties: {
                                '^.*$': {};
                            };
                        };
                        payload: {};
                        timeoutSeconds: {
                            type: string;
                            minimum: number;
                        };
                    };
                };
            };
            stop: {
                type: string;
                items: {
                    type: string;
                    minLength: number;
                    maxLength: number;
                };
            };
            contactSeconds: {
                type: string;
            };
            serverTime: {
                type: string;
                format: string;
            };
        };
    };
    eventsReply: {
        type: string;
        required: string[];
        properties: {
            applied: {
                type: string;
            };
            lastSeq: {
                type: string;
            };
        };
    };
    event: {
        anyOf: ({
            type: string;
            required: string[];
            properties: {
                seq: {
                    type: string;
                    minimum: number;
                };
                ts: {
                    type: string;
                };
                type: {
                    type: string;
                    const: string;
                    anyOf?: undefined;
                };
                stream?: undefined;
                line?: undefined;
                percent?: undefined;
                message?: undefined;
                result?: undefined;
                reason?: undefined;
            };
            additionalProperties: boolean;
        } | {
            type: string;
            required: string[];
            properties: {
                seq: {
                    type: string;
                    minimum: number;
                };
                ts: {
                    type: string;
                };
                type: {
                    type: string;
                    const: string;
                    anyOf?: undefined;
                };
                stream: {
                    anyOf: {
                        type: string;
                        const: string;
                    }[];
                };
                line: {
                    type: string;
                    maxLength: number;
                };
                percent?: undefined;
                message?: undefined;
                result?: undefined;
                reason?: undefined;
            };
            additionalProperties: boolean;
        } | {
            type: string;
            required: string[];
            properties: {
                seq: {
                    type: string;
                    minimum: number;
                };
                ts: {
                    type: string;
                };
                type: {
                    type: string;
                    const: string;
                    anyOf?: undefined;
                };
                percent: {
                    type: string;
                    minimum: number;
                    maximum: number;
                };
                message: {
                    type: string;
                    maxLength: number;
                };
                stream?: undefined;
                line?: undefined;
                result?: undefined;
                reason?: undefined;
            };
            additionalProperties: boolean;
        } | {
            type: string;
            required: string[];
            properties: {
                seq: {
                    type: string;
                    minimum: number;
                };
                ts: {
                    type: string;
                };
                type: {
                    anyOf: {
                        type: string;
                        const: string;
                    }[];
                    type?: undefined;
                    const?: undefined;
                };
                result: {};
                reason: {
                    type: string;
                    maxLength: number;
                };
                stream?: undefined;
                line?: undefined;
                percent?: undefined;
                message?: undefined;
            };
            additionalProperties: boolean;
        })[];
    };
};
