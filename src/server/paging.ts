import type { Page } from '../core/ports/store.ts';
import { DEFAULT_PAGE_LIMIT } from '../protocol/common.ts';

export function pageOf(query: { after?: string | undefined; limit?: number | undefined }): Page {
  return { after: query.after, limit: query.limit ?? DEFAULT_PAGE_LIMIT };
}
