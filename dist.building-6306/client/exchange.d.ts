export interface Exchange {
    method: string;
    headers: Record<string, string>;
    body: string | null;
    /** Ends the exchange wherever it is (connecting, waiting for the answer, reading it). */
    signal: AbortSignal;
}
export interface Reply {
    status: number;
    text: string;
}
/**
 * One HTTP request and its whole answer as text, over node:http or node:https. Not fetch:
 * Node loads undici at the first fetch, about 15 MB that a long-polling agent would then
 * keep for its whole life, and some 50 ms more for each CLI command.
 * Fails as fetch does: with the AbortError of `signal` (its reason as the cause) when it
 * ends the exchange, with the socket's error when the connection fails or drops.
 */
export declare function exchange(url: URL, init: Exchange): Promise<Reply>;
