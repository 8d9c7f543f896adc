// Messages captured from Debian's fusioninventory-agent 2.6 (fixtures/), read as text.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
