// Types of build-state.mjs, for the TypeScript that uses it (bench, tests).
export declare const BUILD_STAMP: string;
export declare function newestSource(root: string): number;
export type BuildState = 'fresh' | 'stale' | 'missing' | 'no-source';
export declare function buildState(root: string): BuildState;
export declare const AGENT_EXECUTABLE: string;
export declare function agentExecutableState(root: string): 'fresh' | 'stale' | 'missing';
export declare function replaceBuild(staging: string, dist: string): void;
