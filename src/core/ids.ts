import { uuidv7 } from 'uuidv7';

/** Ids are UUIDv7: unique across nodes and sortable by creation time. */
export function newId(): string {
  return uuidv7();
}
