import type { Generated } from 'kysely';

/** The notification tables (0014_notifications), part of `Database` (schema.ts). */
export interface NotifyTables {
  channels: ChannelTable;
  notify_queue: NotifyQueueTable;
  deliveries: DeliveryTable;
}

export interface ChannelTable {
  id: string;
  org_id: string | null;
  /** org_id, or '' for a global channel: UNIQUE treats NULLs as distinct (as commands.org_key). */
  org_key: string;
  name: string;
  kind: string;
  url: string | null;
  /** JSON list of email addresses. */
  recipients: string;
  secret: string | null;
  /** When the channel may send its next message (digest window); 0 = now. */
  window_until: Generated<number>;
  created_at: number;
  updated_at: number;
}

/** Run ends waiting for their channel's next message; one per (channel, run). */
export interface NotifyQueueTable {
  channel_id: string;
  run_id: string;
  org_id: string;
  /** The RunEvent as JSON. */
  event: string;
  at: number;
}

export interface DeliveryTable {
  id: string;
  channel_id: string;
  org_id: string | null;
  status: string;
  /** The message (MessageContent) as JSON. */
  content: string;
  event_count: number;
  attempts: number;
  last_error: string | null;
  next_attempt_at: number | null;
  delivered_at: number | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  created_at: number;
  updated_at: number;
}
