/**
 * Parses a duration given as seconds (number or digits) or "30s" "15m" "6h" "2d" "1w"
 * into whole seconds. `field` names the value in the error message.
 */
export declare function parseDuration(value: unknown, field: string, opts?: {
    min?: number;
}): number;
/** Seconds back to the shortest exact "90m"/"2h"/"45s" form, for display and task files. */
export declare function formatDuration(seconds: number): string;
