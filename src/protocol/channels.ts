import { type Static, Type } from 'typebox';
import { MAX_RECIPIENTS, MAX_SECRET, MAX_URL } from '../core/channels.ts';
import { NOTIFY_ON } from '../core/model.ts';
import { DELIVERY_STATUSES } from '../core/ports/notifications.ts';
import { Id, IsoTime, NullableIsoTime, OrgPageQuery } from './common.ts';
import { ChannelName } from './task-def.ts';

/**
 * A notification channel: `{"name":"ops-hook","kind":"webhook","url":"https://…","secret":"…"}`
 * or `{"name":"ops-mail","kind":"email","to":["ops@example.org"]}`; `global: true` (the
 * global admin's) makes one every org's tasks may name. The core's channel rules check it
 * and name the bad field; the server's allow list decides whether `url` may be reached.
 */
// What a request may send; the core then checks the URL, the addresses, and which fields go with the kind.
const Url = Type.String({ minLength: 1, maxLength: MAX_URL, description: 'webhook: http(s) URL the server POSTs to' });
const Secret = Type.String({ minLength: 1, maxLength: MAX_SECRET });
const Recipients = Type.Array(Type.String({ minLength: 3, maxLength: 254 }), {
  maxItems: MAX_RECIPIENTS,
  description: 'email: recipients',
});

export const CreateChannelBody = Type.Object(
  {
    name: ChannelName,
    kind: Type.Enum(['webhook', 'email']),
    url: Type.Optional(Url),
    secret: Type.Optional(
      Type.Union([Secret, Type.Null()], {
        description: 'webhook: HMAC key of X-Taskwarden-Signature; generated (and shown once) if left out',
      }),
    ),
    to: Type.Optional(Recipients),
    global: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** What may change: a webhook's url and secret (null: unsigned), an email channel's recipients. */
export const ChangeChannelBody = Type.Object(
  {
    url: Type.Optional(Url),
    secret: Type.Optional(Type.Union([Secret, Type.Null()])),
    to: Type.Optional(Recipients),
  },
  { additionalProperties: false },
);

/** Viewers and operators see what a channel is called; who manages it also sees where it goes. */
export const ChannelView = Type.Object({
  id: Id,
  orgId: Type.Union([Id, Type.Null()], { description: 'null for a global channel' }),
  name: Type.String(),
  kind: Type.Enum(['webhook', 'email']),
  url: Type.Optional(Type.String()),
  to: Type.Optional(Type.Array(Type.String())),
  secret: Type.Optional(
    Type.Union([Type.String(), Type.Null()], {
      description: '"***" when set (write-only); the generated secret itself in the creation answer only',
    }),
  ),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type ChannelView = Static<typeof ChannelView>;

export const DeliveryView = Type.Object({
  id: Id,
  channelId: Id,
  status: Type.Enum([...DELIVERY_STATUSES]),
  event: Type.String({ description: 'run.error, run.finished…, digest or test' }),
  summary: Type.String(),
  eventCount: Type.Integer(),
  runs: Type.Array(Type.Object({ id: Id, taskId: Id, task: Type.String(), event: Type.String() })),
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  nextAttemptAt: NullableIsoTime,
  deliveredAt: NullableIsoTime,
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type DeliveryView = Static<typeof DeliveryView>;

export const DeliveryQuery = Type.Object({
  ...OrgPageQuery.properties,
  status: Type.Optional(Type.Enum([...DELIVERY_STATUSES])),
});

export const NotifyRuleView = Type.Object({
  on: Type.Array(Type.Enum([...NOTIFY_ON])),
  channels: Type.Array(Type.String()),
  when: Type.Enum(['always', 'changed']),
});

/** An org's default rules (PUT /api/v1/orgs/:org/notify), for its tasks without rules of their own. */
export const OrgNotifyBody = Type.Object(
  { notify: Type.Array(Type.Unknown(), { description: 'rules: [{on, channels, when}]' }) },
  { additionalProperties: false },
);
export const OrgNotifyView = Type.Object({ notify: Type.Array(NotifyRuleView) });
export type CreateChannelBody = Static<typeof CreateChannelBody>;
export type ChangeChannelBody = Static<typeof ChangeChannelBody>;
