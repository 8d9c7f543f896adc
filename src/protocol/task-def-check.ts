import type { TaskDef } from '../core/model.ts';
import { parseTaskDef, type TaskDefContext } from '../core/task-def.ts';
import { PreviewBody } from './schedules.ts';
import { TaskDefBody } from './task-def.ts';
import { compileWireCheck } from './wire-check.ts';

/**
 * The checks of definitions that come in without a request in front (a task file before it
 * is sent, `schedule preview` offline, the defaults the server seeds, benches and tests):
 * the schemas POST /api/v1/tasks and POST /api/v1/schedules/preview validate their bodies
 * with, so each refuses what the API refuses, in the API's words.
 */
export const checkTaskDefBody = compileWireCheck(TaskDefBody);
export const checkPreviewBody = compileWireCheck(PreviewBody);

/** A task definition from outside a request: the wire schema, then the core's normalisation and rules. */
export function readTaskDef(input: unknown, ctx: TaskDefContext): TaskDef {
  return parseTaskDef(checkTaskDefBody(input), ctx);
}
