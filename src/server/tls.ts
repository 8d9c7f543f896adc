import { readFile } from 'node:fs/promises';
import { createSecureContext, type Server as TlsServer } from 'node:tls';
import { ValidationError } from '../core/errors.ts';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export interface TlsPem {
  cert: Buffer;
  key: Buffer;
}

/**
 * Reads the certificate and key and checks they make a usable pair, so a start with a bad
 * file fails naming the setting, and a reload with one keeps the pair it had.
 */
export async function readTlsFiles(files: TlsFiles): Promise<TlsPem> {
  const read = async (path: string, setting: string) => {
    try {
      return await readFile(path);
    } catch (err) {
      throw new ValidationError(setting, `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? err})`);
    }
  };
  const pem = { cert: await read(files.certFile, 'tls.cert'), key: await read(files.keyFile, 'tls.key') };
  try {
    createSecureContext(pem);
  } catch (err) {
    throw new ValidationError(
      'tls',
      `${files.certFile} and ${files.keyFile} are no PEM certificate and key pair (${(err as Error).message})`,
    );
  }
  return pem;
}

/** SIGHUP: the renewed files serve every connection from now on; open connections keep theirs. */
export async function reloadTls(server: TlsServer, files: TlsFiles): Promise<void> {
  server.setSecureContext(await readTlsFiles(files));
}
