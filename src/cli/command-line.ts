import { Command, CommanderError } from 'commander';
import { exitCodeHelp, exitCodeOf } from './exit-codes.ts';
import { printError } from './output.ts';

/**
 * A command line as every Taskwarden executable has it (`taskwarden`, and the single-file
 * agent): `-V, --version`, usage errors as one `taskwarden: …` line and exit code 2, the
 * exit code table (exit-codes.ts) at the end of `--help`.
 */
export function newProgram(name: string, description: string, version: string): Command {
  return new Command(name)
    .description(description)
    .version(version, '-V, --version', 'print the version')
    .exitOverride()
    .showHelpAfterError(false)
    .addHelpText('after', exitCodeHelp())
    .configureOutput({ outputError: (str, write) => write(`taskwarden: ${str.trim().replace(/^error: /, '')}\n`) });
}

/** Runs the command the arguments name; errors become one line and the Contract's exit code. */
export async function runProgram(program: Command): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
    printError(err);
    process.exit(exitCodeOf(err));
  }
}
