import { CommanderError } from 'commander';
import { exitCodeOf, printError } from './output.ts';
import { buildProgram } from './program.ts';

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  printError(err);
  process.exit(exitCodeOf(err));
}
