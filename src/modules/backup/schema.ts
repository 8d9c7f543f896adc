import { fieldPath, ValidationError } from '../sdk/index.ts';

export const backupParamsSchema = {
  type: 'object',
  properties: {
    keep: {
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      default: 7,
      description: 'How many backups to keep in the folder: the oldest beyond this are deleted after each new one.',
    },
    folder: {
      type: 'string',
      maxLength: 4096,
      description: "Absolute folder the backups go to; default the data folder's backups/.",
    },
  },
  additionalProperties: false,
};

export type BackupParams = { keep: number; folder: string | null };

export function parseBackupParams(params: Record<string, unknown>, field: string): BackupParams {
  const folder = params['folder'];
  if (folder !== undefined && (typeof folder !== 'string' || !folder.startsWith('/'))) {
    throw new ValidationError(fieldPath(field, 'folder'), 'must be an absolute path');
  }
  return { keep: params['keep'] as number, folder: (folder as string | undefined) ?? null };
}
