import type { Page, Paged } from './store.ts';

/**
 * What the fleet modules keep: each agent's latest inventory with a history of what changed,
 * the devices network discovery found, and the deploy packages (content-addressed archives
 * with a manifest). Part of the Store port (StoreSession has a repo for each).
 */

/** One field that differs between two inventories ("os.version", "disks[/home].sizeBytes"). */
export interface InventoryChange {
  path: string;
  /** undefined = the field did not exist before (stored as absent, shown as null). */
  from?: unknown;
  /** undefined = the field is gone. */
  to?: unknown;
}

export interface AgentInventory {
  agentId: string;
  orgId: string;
  /** The inventory as the agent reported it, checked by the inventory module. */
  data: Record<string, unknown>;
  collectedAt: number;
  /** The jobstate that reported it. */
  jobstateId: string | null;
}

export interface InventoryHistoryEntry {
  id: string;
  agentId: string;
  orgId: string;
  jobstateId: string | null;
  at: number;
  changes: InventoryChange[];
}

export interface InventoryRepo {
  get(agentId: string): Promise<AgentInventory | null>;
  /** Inserts or replaces the agent's inventory. */
  put(inventory: AgentInventory): Promise<void>;
  addHistory(entry: InventoryHistoryEntry): Promise<void>;
  /** Oldest first. */
  listHistory(agentId: string, page: Page): Promise<Paged<InventoryHistoryEntry>>;
}

/** A machine network discovery found, one per (org, ip). */
export interface Device {
  id: string;
  orgId: string;
  ip: string;
  /** The open TCP ports the last discovery of this address saw. */
  ports: number[];
  hostname: string | null;
  firstSeen: number;
  lastSeen: number;
  lastJobstateId: string | null;
}

/** What one discovery saw at one address. */
export interface DeviceSighting {
  ip: string;
  ports: number[];
  hostname: string | null;
}

export interface DeviceRepo {
  /**
   * Records a discovery's sightings: unknown addresses become devices, known ones get the
   * new ports and lastSeen (and the hostname, unless this sighting has none).
   */
  record(
    orgId: string,
    sightings: readonly DeviceSighting[],
    at: number,
    jobstateId: string | null,
  ): Promise<{ created: number; updated: number }>;
  get(id: string): Promise<Device | null>;
  /** Ordered by id (first seen first); orgId undefined = every org. */
  list(filter: { orgId?: string | undefined }, page: Page): Promise<Paged<Device>>;
}

/** An uploaded archive, owned by the org that uploaded it (the bytes are shared by sha256). */
export interface PackageFile {
  orgId: string;
  /** Lower-case hex SHA-256 of the content. */
  sha256: string;
  size: number;
  createdAt: number;
}

export interface PackageRecord {
  id: string;
  orgId: string;
  name: string;
  version: string;
  /** The archive (a PackageFile of the same org). */
  sha256: string;
  size: number;
  /** checks, steps and uninstall, as the deploy module parsed them. */
  manifest: Record<string, unknown>;
  createdAt: number;
  createdBy: string | null;
}

/** What recording an upload did: `usedBytes` is what the org's files took before it. */
export type AddFileOutcome = { status: 'added' | 'existing' } | { status: 'over_quota'; usedBytes: number };

export interface PackageRepo {
  /**
   * Records that the org owns this content (`existing` when it already did, at no cost),
   * unless the org's files would then take more than `quotaBytes`. Inside a transaction,
   * uploads of the same org take turns: two cannot both fit in the room left for one.
   */
  addFile(file: PackageFile, quotaBytes?: number): Promise<AddFileOutcome>;
  getFile(orgId: string, sha256: string): Promise<PackageFile | null>;
  /** The bytes of the org's files (what its quota is spent on). */
  usedBytes(orgId: string): Promise<number>;
  /** Deletes up to `limit` of the org's files recorded before `before` that none of its packages uses; returns how many. */
  deleteUnreferencedFiles(orgId: string, before: number, limit: number): Promise<number>;
  /** Which of these contents some org (any) still records. */
  recordedFiles(sha256s: readonly string[]): Promise<Set<string>>;
  /** Fails with `conflict` when the org has that (name, version) already. */
  create(pkg: PackageRecord): Promise<PackageRecord>;
  get(id: string): Promise<PackageRecord | null>;
  /** The given version of the org's package, else the most recently created one. */
  find(orgId: string, name: string, version?: string): Promise<PackageRecord | null>;
  /** Ordered by id (creation order); orgId undefined = every org. */
  list(filter: { orgId?: string | undefined; name?: string | undefined }, page: Page): Promise<Paged<PackageRecord>>;
  delete(id: string): Promise<void>;
}
