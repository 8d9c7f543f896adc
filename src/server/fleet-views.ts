import type { AgentInventory, Device, InventoryHistoryEntry, PackageFile, PackageRecord } from '../core/ports/fleet.ts';
import type {
  DeviceView,
  InventoryHistoryView,
  InventoryView,
  PackageFileView,
  PackageView,
} from '../protocol/fleet.ts';
import { iso } from './views.ts';

/** Fleet records as the API shows them (times as ISO-8601, UTC). */
export const packageFileView = (file: PackageFile): PackageFileView => ({
  sha256: file.sha256,
  size: file.size,
  createdAt: iso(file.createdAt),
});

export const packageView = (pkg: PackageRecord): PackageView => ({ ...pkg, createdAt: iso(pkg.createdAt) });

export const inventoryView = (inventory: AgentInventory): InventoryView => ({
  agentId: inventory.agentId,
  collectedAt: iso(inventory.collectedAt),
  jobstateId: inventory.jobstateId,
  inventory: inventory.data,
});

export const inventoryHistoryView = (entry: InventoryHistoryEntry): InventoryHistoryView => ({
  id: entry.id,
  at: iso(entry.at),
  jobstateId: entry.jobstateId,
  changes: entry.changes,
});

export const deviceView = (device: Device): DeviceView => ({
  ...device,
  firstSeen: iso(device.firstSeen),
  lastSeen: iso(device.lastSeen),
});
