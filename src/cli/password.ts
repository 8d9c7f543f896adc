import { readFileSync } from 'node:fs';
import { ValidationError } from '../core/errors.ts';

const MAX_PASSWORD = 1024;

/**
 * A password that never appears in argv (`ps`): the first line of `--password-file FILE`
 * (`-` = standard input), else typed twice at a hidden prompt when standard input is a
 * terminal, else none (the user signs in with API tokens only).
 */
export async function readPassword(
  passwordFile: string | undefined,
  prompt: string,
  io: { input: NodeJS.ReadStream; output: NodeJS.WriteStream } = { input: process.stdin, output: process.stderr },
): Promise<string | undefined> {
  if (passwordFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(passwordFile === '-' ? 0 : passwordFile, 'utf8');
    } catch (err) {
      throw new ValidationError(
        '--password-file',
        `cannot read ${passwordFile} (${(err as NodeJS.ErrnoException).code ?? err})`,
      );
    }
    return checked(text.split(/\r?\n/)[0] ?? '', '--password-file');
  }
  if (!io.input.isTTY) return undefined;
  const first = await hiddenLine(io, `${prompt} (empty: API tokens only): `);
  if (first === '') return undefined;
  const again = await hiddenLine(io, 'again: ');
  if (again !== first) throw new ValidationError('password', 'the two entries differ');
  return checked(first, 'password');
}

function checked(password: string, source: string): string {
  if (password === '') throw new ValidationError(source, 'the password is empty');
  if (password.length > MAX_PASSWORD) throw new ValidationError(source, `at most ${MAX_PASSWORD} characters`);
  return password;
}

/** One line from the terminal in raw mode, nothing echoed; Ctrl-C aborts (exit 130). */
function hiddenLine(io: { input: NodeJS.ReadStream; output: NodeJS.WriteStream }, prompt: string): Promise<string> {
  const { input, output } = io;
  // Echo off before the prompt shows: keys typed as soon as it appears are never echoed.
  input.setRawMode(true);
  output.write(prompt);
  input.resume();
  return new Promise((resolve) => {
    let line = '';
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\u0003') {
          output.write('\n');
          input.setRawMode(false);
          process.exit(130);
        }
        if (char === '\r' || char === '\n') {
          input.off('data', onData);
          input.setRawMode(false);
          input.pause();
          output.write('\n');
          resolve(line);
          return;
        }
        if (char === '\u007f' || char === '\b') line = line.slice(0, -1);
        else line += char;
      }
    };
    input.on('data', onData);
  });
}
