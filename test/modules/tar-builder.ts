// Writes ustar archives byte by byte, so tests can build the hostile ones real tools refuse
// to make (absolute names, "..", links leaving the folder) next to ordinary ones.
import { writeFile } from 'node:fs/promises';

export type TarSpec =
  | { name: string; type?: 'file'; content?: string; mode?: number }
  | { name: string; type: 'directory'; mode?: number }
  | { name: string; type: 'symlink' | 'hardlink'; target: string }
  | { name: string; type: 'fifo' };

const FLAGS = { file: '0', hardlink: '1', symlink: '2', fifo: '6', directory: '5' } as const;

function header(spec: TarSpec, size: number): Buffer {
  const block = Buffer.alloc(512);
  const put = (text: string, at: number, length: number) => block.write(text, at, length, 'utf8');
  const octal = (value: number, at: number, length: number) =>
    put(`${value.toString(8).padStart(length - 1, '0')}\0`, at, length);
  put(spec.name, 0, 100);
  const type = spec.type ?? 'file';
  octal('mode' in spec && spec.mode !== undefined ? spec.mode : type === 'directory' ? 0o755 : 0o644, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(size, 124, 12);
  octal(Math.floor(Date.now() / 1000), 136, 12);
  put(FLAGS[type], 156, 1);
  if ('target' in spec) put(spec.target, 157, 100);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  octal(sum, 148, 7);
  return block;
}

export function tarBytes(entries: readonly TarSpec[]): Buffer {
  const parts: Buffer[] = [];
  for (const spec of entries) {
    const content = Buffer.from('content' in spec && spec.content !== undefined ? spec.content : '');
    parts.push(header(spec, content.length), content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export async function writeTar(path: string, entries: readonly TarSpec[]): Promise<void> {
  await writeFile(path, tarBytes(entries));
}
