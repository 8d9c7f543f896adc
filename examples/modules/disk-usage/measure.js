// @ts-check
import { statfs } from 'node:fs/promises';

/**
 * How full the file system holding `params.path` is, and whether that is within
 * `params.maxPercent`: what both halves report as the jobstate's result.
 * @param {Record<string, unknown>} params
 * @param {(line: string) => void} log
 */
export async function measure(params, log) {
  const path = String(params['path']);
  const max = Number(params['maxPercent']);
  const fs = await statfs(path);
  const totalBytes = fs.blocks * fs.bsize;
  const freeBytes = fs.bavail * fs.bsize;
  const usedPercent = totalBytes === 0 ? 0 : Math.round(((totalBytes - freeBytes) / totalBytes) * 1000) / 10;
  log(`${path}: ${usedPercent}% used, ${freeBytes} of ${totalBytes} bytes free (limit ${max}%)`);
  const ok = usedPercent <= max;
  return { ok, result: { path, totalBytes, freeBytes, usedPercent, maxPercent: max } };
}
