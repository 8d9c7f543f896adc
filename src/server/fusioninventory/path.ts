import { ValidationError } from '../../core/errors.ts';

/**
 * Where FusionInventory agents find the server: GLPI's plugin path by default, so an agent
 * configured for GLPI (`--server https://glpi.example/plugins/fusioninventory/`) needs only
 * a new host. TASKWARDEN_FI_PATH moves it.
 */
export const DEFAULT_FUSIONINVENTORY_PATH = '/plugins/fusioninventory/';

const SEGMENT = /^[A-Za-z0-9._~-]+$/;
/** Paths the server's own routes live under. */
const TAKEN = ['api', 'agent', 'health', 'metrics'];

/** An absolute path of plain segments, not under the server's own routes; with a trailing "/". */
export function parseFusionInventoryPath(value: string, source: string): string {
  const segments = value.trim().split('/').filter(Boolean);
  const valid =
    value.trim().startsWith('/') &&
    segments.length > 0 &&
    segments.every((segment) => SEGMENT.test(segment) && segment !== '.' && segment !== '..');
  if (!valid)
    throw new ValidationError(source, `"${value}" is not an absolute URL path like /plugins/fusioninventory/`);
  if (TAKEN.includes(segments[0] as string)) {
    throw new ValidationError(source, `"${value}" is under /${segments[0]}, which the server's own routes use`);
  }
  return `/${segments.join('/')}/`;
}
