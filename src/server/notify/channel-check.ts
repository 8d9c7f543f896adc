import { fieldPath, ValidationError } from '../../core/errors.ts';
import type { NotifyRule } from '../../core/model.ts';
import type { Store } from '../../core/ports/store.ts';

/**
 * When rules are saved (a task's, an org's defaults): each channel they name is one the
 * org may use, its own or a global one; another org's channel is "no channel named", as
 * any name it cannot see. The engine checks again at each run end (a channel may be deleted).
 */
export async function checkChannelReferences(store: Store, orgId: string, rules: readonly NotifyRule[]): Promise<void> {
  for (const [i, rule] of rules.entries()) {
    for (const [j, name] of rule.channels.entries()) {
      if (await store.channels.resolve(orgId, name)) continue;
      const field = fieldPath(fieldPath(fieldPath('notify', i), 'channels'), j);
      throw new ValidationError(field, `no channel named "${name}" (create it first: POST /api/v1/channels)`);
    }
  }
}
