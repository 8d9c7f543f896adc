import type { XmlNode } from '../fusioninventory-message.ts';
import type { ReplyNode } from '../fusioninventory-reply.ts';
import type { JobstateReason } from '../model.ts';
import type { DeviceSighting, InventoryChange } from './fleet.ts';
import type { AgentOutcome, FleetAgent, PayloadContext } from './module.ts';

/** A module's translation to and from the FusionInventory protocol (src/server/fusioninventory drives it). */
export interface FusionInventoryHook<P> {
  /**
   * At the agent's PROLOG (the start of its run), for one jobstate claimed for it: what the
   * reply carries and what to log. `processNumber` names the attempt in the agent's reports.
   */
  prolog(job: { params: P; payload: unknown; processNumber: string }): FusionInventoryProlog;
  /** Set by the module that keeps inventories: the agent's inventory messages go to it. */
  inventory?: FusionInventoryInventory;
  /** Messages the agent sends about the module's running jobs (netdiscovery's NETDISCOVERY). */
  reports?: FusionInventoryReports<P>;
  /** Its jobs are run by the agent's Deploy task (REST getJobs, setStatus), as this translates them. */
  deploy?: FusionInventoryDeploy<P>;
}

/**
 * The agent's messages of one QUERY about a job of the module: the server finds the attempt
 * by the process number the PROLOG handed out, logs the lines, keeps the sightings (one per
 * address, the latest winning) across messages, and ends the job when one says so.
 */
export interface FusionInventoryReports<P> {
  /** The messages' QUERY ("NETDISCOVERY"). */
  query: string;
  /** Checks a message (a ValidationError names the field) before its job is looked up. */
  read(content: XmlNode): {
    processNumber: string;
    /** What the message means for its job. */
    take(params: P): { lines: string[]; devices: DeviceSighting[]; ended: boolean };
  };
  /** The job's last log line and result, from the sightings kept. */
  end(params: P, devices: DeviceSighting[]): { line: string; result: unknown };
}

/** The agent's inventory (QUERY=INVENTORY), read as the module's own. */
export interface FusionInventoryInventory {
  /**
   * The CONTENT as the module stores it, checked (a ValidationError names CONTENT), and a
   * line for the log; `host` names the machine when the report does not (from its DEVICEID).
   */
  read(message: { content: XmlNode; host: string }): { data: Record<string, unknown>; summary: string };
  /** What changed from the previous inventory (an inventory sent unasked is stored with it). */
  diff(previous: Record<string, unknown>, data: Record<string, unknown>): InventoryChange[];
}

export interface FusionInventoryProlog {
  /** Lines for the jobstate's log. */
  lines: string[];
  /** An OPTION of the PROLOG reply (a task of the agent, with its parameters). */
  option?: ReplyNode;
  /** Ask the agent for its inventory (RESPONSE SEND). */
  sendInventory?: boolean;
  /** The jobstate ends here (the agent will report nothing about it). */
  end?: { ok: boolean; result?: unknown; reason?: JobstateReason };
}

/**
 * How a FusionInventory agent's Deploy task (REST calls getJobs and setStatus, see
 * Task/Deploy.pm) runs a module's agent jobstates. The module translates;
 * src/server/fusioninventory/deploy.ts finds the modules offering this hook and drives it:
 * getConfig sends the Deploy task to the server while the agent runs such a job.
 */
export interface FusionInventoryDeploy<P> {
  /**
   * getJobs: the jobstate as the Deploy task runs it, or its end when this agent cannot
   * run it (the result says why). A thrown error ends the job too, its result `{ error }`.
   */
  job(ctx: FusionInventoryDeployContext<P>): Promise<FusionInventoryDeployJob>;
  /** setStatus: what one call of the agent means for the job; `end` when it says the job is over. */
  status(ctx: FusionInventoryStatusContext<P>): Promise<{ line: string; end: AgentOutcome | null }>;
  /**
   * Why a package file may not be handed to FusionInventory agents (deploy: its tar holds
   * more than plain files and folders), null when it may. Asked through `ctx.archive`, once
   * per file (package files never change): `path` is where the server keeps it.
   */
  checkArchive?(file: { path: string }): Promise<string | null>;
}

/** One running jobstate at getJobs; `payload` is the module's own to build (`payload(ctx)`). */
export interface FusionInventoryDeployContext<P> extends PayloadContext<P> {
  /** The job's `uuid` for the agent: its setStatus calls name the attempt by it. */
  uuid: string;
  /** The agent, with its latest inventory (its operating system decides what its shell is). */
  agent: FleetAgent | null;
  /**
   * A package file of the org as the agent downloads it: cut in parts (each checked by its
   * sha512), served under `mirror`. Throws, saying why, when the server keeps no package
   * files, the file is not the org's, or `checkArchive` refuses it.
   */
  archive(sha256: string): Promise<FusionInventoryArchive>;
}

export interface FusionInventoryArchive {
  /** sha512 of the whole file: the key of its getJobs `associatedFiles` entry. */
  sha512: string;
  /** The parts' sha512s, in order (the entry's `multiparts`). */
  parts: string[];
  /** The entry's mirror URL. */
  mirror: string;
}

/** The getJobs entry: `job` goes in its `jobs`, `files` (by sha512) in its `associatedFiles`. */
export type FusionInventoryDeployJob =
  | { lines: string[]; job: Record<string, unknown>; files: Record<string, Record<string, unknown>> }
  | { lines: string[]; end: AgentOutcome };

export interface FusionInventoryStatusContext<P> extends PayloadContext<P> {
  status: FusionInventoryDeployStatus;
}

/** The fields of a setStatus call (Deploy/Job.pm setStatus). */
export interface FusionInventoryDeployStatus {
  part: string;
  status?: string | undefined;
  msg?: string | undefined;
  currentStep?: string | undefined;
  sha512?: string | undefined;
}
