import { readFileSync } from 'node:fs';

/** The version in package.json (src/cli/ and dist/cli/ both sit two folders below it). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
