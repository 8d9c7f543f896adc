import { useMemo } from 'react';
import { get, getAll, withQuery } from '../../api/client.ts';
import type { TaskReportView, TaskView } from '../../api/types.ts';
import { FilterForm } from '../../components/forms.tsx';
import { choicesOf, SelectField } from '../../components/SelectField.tsx';
import { Loaded } from '../../components/ui.tsx';
import { toCsv } from '../../lib/csv.ts';
import { download } from '../../lib/download.ts';
import { formatSeconds } from '../../lib/format.ts';
import { useResource } from '../../lib/use-resource.ts';
import { navigate, type Route } from '../../router.ts';
import { Chart } from './Chart.tsx';

const RANGES = [
  { value: '1', label: 'last 24 hours' },
  { value: '7', label: 'last 7 days' },
  { value: '30', label: 'last 30 days' },
  { value: '90', label: 'last 90 days' },
  { value: '365', label: 'last year' },
];
const BUCKETS = ['hour', 'day', 'week'];

/** Per task over time: success rate and duration percentiles (charts), and the same as CSV. */
export function ReportsPage({ route }: { route: Route }) {
  const tasks = useResource('report-tasks', () => getAll<TaskView>('/api/v1/tasks'));
  const taskId = route.query.get('task') ?? tasks.data?.[0]?.id ?? '';
  const days = route.query.get('days') ?? '30';
  const bucket = route.query.get('bucket') ?? (Number(days) <= 1 ? 'hour' : Number(days) > 90 ? 'week' : 'day');
  const set = (patch: Record<string, string>) => navigate('/reports', { task: taskId, days, bucket, ...patch });
  const report = useResource(taskId ? `report-${taskId}-${days}-${bucket}` : null, () => {
    const until = new Date();
    const since = new Date(until.getTime() - Number(days) * 86_400_000);
    return get<TaskReportView>(
      withQuery(`/api/v1/reports/tasks/${taskId}`, {
        since: since.toISOString(),
        until: until.toISOString(),
        bucket,
      }),
    );
  });

  return (
    <div className="page">
      <div className="page-head">
        <h1>Reports</h1>
      </div>
      <FilterForm label="Report settings">
        <SelectField
          label="Task"
          value={taskId}
          onChange={(value) => set({ task: value })}
          choices={choicesOf(tasks.data)}
        />
        <SelectField
          label="Period"
          value={days}
          onChange={(value) => set({ days: value, bucket: '' })}
          choices={RANGES}
        />
        <SelectField label="Per" value={bucket} onChange={(value) => set({ bucket: value })} choices={BUCKETS} />
      </FilterForm>
      {tasks.data?.length === 0 ? <p className="empty">No task to report on yet.</p> : null}
      {taskId ? (
        <Loaded data={report.data} error={report.error} what="Reporting">
          {(r) => <ReportBody report={r} />}
        </Loaded>
      ) : null}
    </div>
  );
}

function ReportBody({ report }: { report: TaskReportView }) {
  const { x, rate, p50, p90, finished, failed } = useMemo(
    () => ({
      x: report.buckets.map((b) => Date.parse(b.start) / 1000),
      finished: report.buckets.map((b) => b.finished),
      failed: report.buckets.map((b) => b.error),
      rate: report.buckets.map((b) => (b.successRate === null ? null : b.successRate * 100)),
      p50: report.buckets.map((b) => b.p50Seconds),
      p90: report.buckets.map((b) => b.p90Seconds),
    }),
    [report],
  );
  const countSeries = useMemo(
    () => [
      { label: 'succeeded', values: finished, color: '#1b7f3b', unit: 'runs' },
      { label: 'failed', values: failed, color: '#b42318', unit: 'runs' },
    ],
    [finished, failed],
  );
  const rateSeries = useMemo(() => [{ label: 'success', values: rate, color: '#1b7f3b', unit: '%' }], [rate]);
  const durationSeries = useMemo(
    () => [
      { label: 'p50', values: p50, color: '#2457a6', unit: 's' },
      { label: 'p90', values: p90, color: '#b5561b', unit: 's' },
    ],
    [p50, p90],
  );
  const t = report.totals;
  const exportCsv = () =>
    download(
      `${report.task}-${report.bucket}-report.csv`,
      toCsv(
        ['start', 'runs', 'finished', 'error', 'cancelled', 'other', 'success_rate', 'p50_seconds', 'p90_seconds'],
        report.buckets.map((b) => [
          b.start,
          b.runs,
          b.finished,
          b.error,
          b.cancelled,
          b.other,
          b.successRate,
          b.p50Seconds,
          b.p90Seconds,
        ]),
      ),
    );
  return (
    <>
      <dl className="facts totals">
        <div>
          <dt>Runs</dt>
          <dd>{t.runs}</dd>
        </div>
        <div>
          <dt>Succeeded</dt>
          <dd>{t.finished}</dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd>{t.error}</dd>
        </div>
        <div>
          <dt>Success rate</dt>
          <dd>{t.successRate === null ? 'N/A' : `${Math.round(t.successRate * 1000) / 10} %`}</dd>
        </div>
        <div>
          <dt>Median duration</dt>
          <dd>{formatSeconds(t.p50Seconds)}</dd>
        </div>
        <div>
          <dt>p90 duration</dt>
          <dd>{formatSeconds(t.p90Seconds)}</dd>
        </div>
      </dl>
      <div className="actions report-actions">
        <button type="button" onClick={exportCsv}>
          Export CSV
        </button>
      </div>
      <div className="charts">
        <Chart title={`Runs per ${report.bucket}`} x={x} series={countSeries} />
        <Chart title="Success rate (%)" x={x} series={rateSeries} yMax={100} />
        <Chart title="Duration (s): median and p90" x={x} series={durationSeries} />
      </div>
    </>
  );
}
