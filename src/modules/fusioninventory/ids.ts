/**
 * How a jobstate attempt is named in the agent's messages, so what it sends back says which
 * attempt it ran (a report for an older attempt must not end a newer one).
 *
 * Network discovery: the PID of the job, echoed as PROCESSNUMBER. The agent sorts its jobs
 * with Perl's numeric `<=>`, which warns on every pass of its scan loop when a PID is not a
 * number, so the jobstate's UUID goes as the decimal of its 128 bits: "<decimal>.<attempt>"
 * reads as a number to Perl and maps back exactly.
 *
 * Deploy: the job's uuid, echoed in setStatus; it names a folder on the agent, so it stays
 * "<jobstate id>.<attempt>".
 */
import { ValidationError } from '../sdk/index.ts';

export interface AttemptRef {
  jobstateId: string;
  attempt: number;
}

const UUID = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/;
const PROCESS_NUMBER = /^(\d{1,39})\.(\d{1,6})$/;
const DEPLOY_UUID = /^([0-9a-f-]{36})\.(\d{1,6})$/;

export function processNumberOf(ref: AttemptRef): string {
  if (!UUID.test(ref.jobstateId)) throw new Error(`jobstate id ${ref.jobstateId} is not a UUID`);
  return `${BigInt(`0x${ref.jobstateId.replaceAll('-', '')}`).toString(10)}.${ref.attempt}`;
}

export function parseProcessNumber(text: string, field: string): AttemptRef {
  const match = PROCESS_NUMBER.exec(text.trim());
  const value = match ? BigInt(match[1] as string) : -1n;
  if (!match || value >= 2n ** 128n)
    throw new ValidationError(field, `"${text}" is not a process number this server gave`);
  const hex = value.toString(16).padStart(32, '0');
  const jobstateId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { jobstateId, attempt: Number(match[2]) };
}

export function deployUuidOf(ref: AttemptRef): string {
  return `${ref.jobstateId}.${ref.attempt}`;
}

export function parseDeployUuid(text: string, field: string): AttemptRef {
  const match = DEPLOY_UUID.exec(text);
  if (!match || !UUID.test(match[1] as string)) {
    throw new ValidationError(field, `"${text}" is not a deploy job uuid this server gave`);
  }
  return { jobstateId: match[1] as string, attempt: Number(match[2]) };
}

/** The agent names a machine "<hostname>-<yyyy>-<mm>-<dd>-<hh>-<mm>-<ss>" (its first run's time). */
export function hostOfDeviceId(deviceId: string): string {
  return deviceId.replace(/-\d{4}(-\d{2}){5}$/, '') || deviceId;
}
