import { JOBSTATE_STATUSES, RUN_STATUSES } from '../core/model.ts';
import type { Store } from '../core/ports/store.ts';
import type { Engine } from '../engine/engine.ts';
import { isNodeAlive } from './views.ts';

/** Seconds; from "on time" to "the server was down for a while". */
const LATENESS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

/**
 * Scheduler lateness: how long after its fire time each run started (observed on the
 * run-start event, so it covers every start this process made since it began).
 */
export class SchedulerMetrics {
  private readonly buckets = LATENESS_BUCKETS.map(() => 0);
  private count = 0;
  private sum = 0;
  private readonly unsubscribe: () => void;

  constructor(engine: Engine) {
    this.unsubscribe = engine.on((event) => {
      if (event.type === 'run' && event.run.status === 'running' && event.run.startedAt !== null) {
        this.observe(Math.max(0, event.run.startedAt - event.run.fireAt) / 1000);
      }
    });
  }

  observe(seconds: number): void {
    this.count++;
    this.sum += seconds;
    LATENESS_BUCKETS.forEach((le, i) => {
      if (seconds <= le) this.buckets[i] = (this.buckets[i] as number) + 1;
    });
  }

  close(): void {
    this.unsubscribe();
  }

  histogramLines(name: string): string[] {
    return [
      ...LATENESS_BUCKETS.map((le, i) => `${name}_bucket{le="${le}"} ${this.buckets[i]}`),
      `${name}_bucket{le="+Inf"} ${this.count}`,
      `${name}_sum ${this.sum}`,
      `${name}_count ${this.count}`,
    ];
  }
}

export interface MetricsSources {
  store: Store;
  scheduler: SchedulerMetrics;
  /** The node's clock now, and the engine's lease time: which nodes are alive. */
  now: number;
  leaseMs: number;
}

/** The Prometheus text exposition (format 0.0.4) of the store's gauges, the nodes' clocks and the scheduler histogram. */
export async function renderMetrics({ store, scheduler, now, leaseMs }: MetricsSources): Promise<string> {
  const [runs, jobstates, serverJobstates, nodes] = await Promise.all([
    store.runs.countByStatus(),
    store.jobstates.countByStatus(),
    store.jobstates.countByStatus({ serverOnly: true }),
    store.nodes.list(),
  ]);
  const measured = nodes.filter((node) => node.clockOffsetMs !== null && isNodeAlive(node, now, leaseMs));
  const lines = [
    ...metric('taskwarden_runs', 'gauge', 'Runs in the store, by status.'),
    ...RUN_STATUSES.map((s) => `taskwarden_runs{status="${s}"} ${runs[s]}`),
    ...metric('taskwarden_jobstates', 'gauge', 'Jobstates in the store, by status.'),
    ...JOBSTATE_STATUSES.map((s) => `taskwarden_jobstates{status="${s}"} ${jobstates[s]}`),
    ...metric(
      'taskwarden_executor_queue_depth',
      'gauge',
      'Server-side jobstates prepared and waiting for a free executor slot.',
    ),
    `taskwarden_executor_queue_depth ${serverJobstates.prepared}`,
    ...metric(
      'taskwarden_node_clock_offset_seconds',
      'gauge',
      "How far each live node's clock is ahead of the database's (negative: behind); past 5 s it is skewed.",
    ),
    ...measured.map(
      (node) =>
        `taskwarden_node_clock_offset_seconds{node="${node.id}",hostname="${labelValue(node.hostname)}"} ${(node.clockOffsetMs as number) / 1000}`,
    ),
    ...metric('taskwarden_scheduler_lateness_seconds', 'histogram', 'Delay between a run fire time and its start.'),
    ...scheduler.histogramLines('taskwarden_scheduler_lateness_seconds'),
  ];
  return `${lines.join('\n')}\n`;
}

function metric(name: string, type: 'gauge' | 'histogram', help: string): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
}

/** A label value as the text format wants it: backslash, double quote and newline escaped. */
function labelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
