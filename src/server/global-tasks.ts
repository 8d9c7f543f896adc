import { notFound, ValidationError } from '../core/errors.ts';
import {
  checkGlobalTaskDef,
  checkOrgTaskModules,
  GLOBAL_ORG_ID,
  GLOBAL_ORG_SELECTOR,
  globalTaskReadOnly,
  isGlobalOrg,
} from '../core/global-tasks.ts';
import type { Task, TaskDef } from '../core/model.ts';
import type { ModuleRegistry, StoreBackups } from '../core/ports/module.ts';
import type { Store } from '../core/ports/store.ts';
import type { Principal } from './auth.ts';
import { isGlobalAdmin, listScope, targetOrg, visible } from './tenancy.ts';

/**
 * Who reaches a global task (core/global-tasks.ts): the global admin names them with
 * `?org=global` and alone writes and runs them; an org's roles read them (list, show,
 * monitoring line) only when its org-admin opted in (`showGlobalTasks`), and never reach
 * their runs or logs, which stay in the reserved org that no user belongs to.
 */

/** The org a task is created in: `?org=global` is the global admin's global task. */
export async function taskOrg(store: Store, principal: Principal, ref: string | undefined): Promise<string> {
  if (ref === GLOBAL_ORG_SELECTOR && isGlobalAdmin(principal)) return GLOBAL_ORG_ID;
  return targetOrg(store, principal, ref);
}

/** The orgs whose tasks a list shows; undefined = every org, the global tasks too (the global admin). */
export async function readableTaskOrgs(
  store: Store,
  principal: Principal,
  ref: string | undefined,
): Promise<string[] | undefined> {
  if (isGlobalAdmin(principal)) {
    if (ref === GLOBAL_ORG_SELECTOR) return [GLOBAL_ORG_ID];
    const scope = await listScope(store, principal, ref);
    return scope === undefined ? undefined : [scope];
  }
  const own = principal.user.orgId as string;
  const showsGlobal = await showsGlobalTasks(store, own);
  if (ref === GLOBAL_ORG_SELECTOR && showsGlobal) return [GLOBAL_ORG_ID];
  const scope = (await listScope(store, principal, ref)) as string;
  return showsGlobal ? [scope, GLOBAL_ORG_ID] : [scope];
}

/** The task if the caller may read it; a global task its org did not opt in to reads as missing. */
export async function readableTask(store: Store, principal: Principal, task: Task | null, id: string): Promise<Task> {
  if (task && isGlobalOrg(task.orgId) && !isGlobalAdmin(principal)) {
    if (await showsGlobalTasks(store, principal.user.orgId)) return task;
    throw notFound('task', id);
  }
  return visible(principal, task, 'task', id);
}

/** The task if the caller may change or run it: a global one it can read answers 403 global_task_read_only. */
export async function writableTask(store: Store, principal: Principal, task: Task | null, id: string): Promise<Task> {
  const readable = await readableTask(store, principal, task, id);
  if (isGlobalOrg(readable.orgId) && !isGlobalAdmin(principal)) throw globalTaskReadOnly(readable.name);
  return readable;
}

async function showsGlobalTasks(store: Store, orgId: string | null): Promise<boolean> {
  if (orgId === null) return false;
  return (await store.orgs.settings(orgId))?.showGlobalTasks === true;
}

/**
 * Checks a global task (server targets only; a module that uses the store's backups only
 * when this store has them) or an org's (no global-only module).
 */
export function checkTaskScope(
  def: TaskDef,
  scope: { orgId: string; modules: ModuleRegistry; backups: StoreBackups | undefined },
): void {
  const { orgId, backups } = scope;
  if (!isGlobalOrg(orgId)) {
    checkOrgTaskModules(def, scope.modules);
    return;
  }
  checkGlobalTaskDef(def);
  def.jobs.forEach((job, i) => {
    if (!scope.modules.get(job.module)?.usesStoreBackups) return;
    const unsupported = backups ? backups.unsupported : 'this server has no database backup';
    if (unsupported !== null) throw new ValidationError(`jobs[${i}].module`, unsupported);
  });
}
