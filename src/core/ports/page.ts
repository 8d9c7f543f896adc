export interface Page {
  /** Cursor returned as `next` by the previous page. */
  after?: string | undefined;
  /** Clamped to 1..1000 (so are the `limit`s of the batch methods). */
  limit: number;
}

export interface Paged<T> {
  items: T[];
  next: string | null;
}
