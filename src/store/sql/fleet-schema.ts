/** The fleet modules' tables (inventories, devices, packages), part of `Database` (schema.ts). */
export interface FleetTables {
  agent_inventories: AgentInventoryTable;
  inventory_history: InventoryHistoryTable;
  devices: DeviceTable;
  package_files: PackageFileTable;
  packages: PackageTable;
}

export interface AgentInventoryTable {
  agent_id: string;
  org_id: string;
  data: string;
  collected_at: number;
  jobstate_id: string | null;
}

export interface InventoryHistoryTable {
  id: string;
  agent_id: string;
  org_id: string;
  jobstate_id: string | null;
  at: number;
  changes: string;
}

export interface DeviceTable {
  id: string;
  org_id: string;
  ip: string;
  ports: string;
  hostname: string | null;
  first_seen: number;
  last_seen: number;
  last_jobstate_id: string | null;
}

export interface PackageFileTable {
  org_id: string;
  sha256: string;
  size: number;
  created_at: number;
}

export interface PackageTable {
  id: string;
  org_id: string;
  name: string;
  version: string;
  sha256: string;
  size: number;
  manifest: string;
  created_at: number;
  created_by: string | null;
}
