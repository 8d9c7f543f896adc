#!/usr/bin/env node
// Entry point of the `taskwarden` command. The sources are TypeScript run through tsx,
// so `npx taskwarden …` works straight after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
