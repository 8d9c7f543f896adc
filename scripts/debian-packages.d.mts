// Types of debian-packages.mjs, for the TypeScript that uses it (bench).
export function ensureDebianPackages(need: { who: string; what: string; paths: string[]; packages: string[] }): void;
