import { type Static, Type } from 'typebox';
import { NotifyRuleView } from './channels.ts';
import { Id, IsoTime } from './common.ts';

export const NAME_PATTERN_SOURCE = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';

export const CreateOrgBody = Type.Object(
  { name: Type.String({ pattern: NAME_PATTERN_SOURCE, description: '1-64 letters, digits, . _ -' }) },
  { additionalProperties: false },
);
export type CreateOrgBody = Static<typeof CreateOrgBody>;

export const OrgView = Type.Object({ id: Id, name: Type.String(), createdAt: IsoTime });
export type OrgView = Static<typeof OrgView>;

/** An org named by id or by name in a path. */
export const OrgParams = Type.Object({ org: Type.String({ minLength: 1, maxLength: 100 }) });

/** What only the global admin sets for an org (PATCH /api/v1/orgs/:org); a field left out is unchanged. */
export const OrgSettingsBody = Type.Object(
  {
    extractPrefixes: Type.Optional(
      Type.Array(Type.String({ maxLength: 4096 }), {
        maxItems: 50,
        description:
          'absolute, normalised folders deploy packages may extract to on agents (besides their package root)',
      }),
    ),
    packageQuota: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), Type.Null()], {
        description: "bytes the org's package files may take; null = the server's default (10 GiB)",
      }),
    ),
  },
  { additionalProperties: false },
);
export type OrgSettingsBody = Static<typeof OrgSettingsBody>;

/** An org with its settings and what its package files take (GET /api/v1/orgs/:org, members too). */
export const OrgDetailView = Type.Object({
  id: Id,
  name: Type.String(),
  createdAt: IsoTime,
  extractPrefixes: Type.Array(Type.String()),
  packageQuota: Type.Integer(),
  packageBytes: Type.Integer(),
  /** Notification rules of its tasks that have none (PUT /api/v1/orgs/:org/notify). */
  notify: Type.Array(NotifyRuleView),
  /** Whether its roles see the global tasks, read-only (PUT /api/v1/orgs/:org/global-tasks). */
  showGlobalTasks: Type.Boolean(),
});
export type OrgDetailView = Static<typeof OrgDetailView>;
