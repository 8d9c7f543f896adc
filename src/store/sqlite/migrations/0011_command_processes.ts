import { commandProcessesMigration } from '../../sql/command-processes-migration.ts';

/** The programs server jobs started, so a restart kills what a crash left running. */
export const commandProcesses = commandProcessesMigration({ text: 'text', integer: 'integer' });
