import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { type ApiError, get, withQuery } from '../api/client.ts';
import type { JobstateView, LogLineView, LogPage } from '../api/types.ts';
import { ACTIVE_JOBSTATES, StatusBadge } from './status.tsx';
import { ErrorNote } from './ui.tsx';

const FOLLOW_EVERY_MS = 1000;
const PAGE = 1000;

/**
 * A jobstate's log lines, stdout plain, stderr marked, the engine's own notes (info) dimmed.
 * While the jobstate may still write, it polls for lines after the cursor the server gave;
 * once it ended, one last read picks up what came in between, then it stops.
 */
export function LogViewer({ jobstate, title }: { jobstate: JobstateView; title: string }) {
  const [lines, setLines] = useState<LogLineView[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [loaded, setLoaded] = useState(false);
  const cursor = useRef<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const active = ACTIVE_JOBSTATES.includes(jobstate.status);

  // A new jobstate starts from its first line.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the id is the trigger, not an input
  useEffect(() => {
    cursor.current = null;
    setLines([]);
    setLoaded(false);
    stickToBottom.current = true;
  }, [jobstate.id]);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function readNew() {
      try {
        for (;;) {
          const page = await get<LogPage>(
            withQuery(`/api/v1/jobstates/${jobstate.id}/logs`, { after: cursor.current, limit: PAGE }),
          );
          if (stopped) return;
          if (page.cursor) cursor.current = page.cursor;
          if (page.items.length > 0) setLines((old) => [...old, ...page.items]);
          if (page.next === null) break;
        }
        setError(null);
      } catch (err) {
        if (!stopped) setError(err as ApiError);
      }
      if (stopped) return;
      setLoaded(true);
      if (active) timer = setTimeout(readNew, FOLLOW_EVERY_MS);
    }
    readNew();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [jobstate.id, active]);

  useLayoutEffect(() => {
    const el = box.current;
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight;
  });

  return (
    <section className="log-viewer" aria-label={`Logs of ${title}`}>
      <header className="log-header">
        <h3>Logs — {title}</h3>
        <StatusBadge status={jobstate.status} reason={jobstate.reasonText} />
        <span className="muted">attempt {jobstate.attempt}</span>
        <span className={active ? 'following' : 'muted'} aria-live="polite">
          {active ? '● following live' : `${lines.length} lines`}
        </span>
      </header>
      <ErrorNote error={error} />
      <div
        className="log-lines"
        role="log"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable to scroll it by keyboard
        tabIndex={0}
        ref={box}
        onScroll={(e) => {
          const el = e.currentTarget;
          stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {lines.length === 0 ? (
          <p className="muted">{loaded ? 'No log lines.' : 'Loading…'}</p>
        ) : (
          lines.map((line, i) => (
            // Lines never reorder or vanish: the index is a stable key.
            // biome-ignore lint/suspicious/noArrayIndexKey: append-only list
            <div key={i} className={`log-line log-${line.stream}`}>
              <span className="log-ts">{line.ts.slice(11, 19)}</span>
              <span className="log-stream">{line.stream === 'stdout' ? '' : line.stream}</span>
              <span className="log-text">{line.line}</span>
            </div>
          ))
        )}
      </div>
    </section>
  );
}
