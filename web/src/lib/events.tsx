import { createContext, type ReactNode, useContext, useEffect, useRef, useState } from 'react';
import type { JobstateView, RunView } from '../api/types.ts';

export type ServerEvent =
  | { type: 'run'; data: RunView }
  | { type: 'jobstate'; data: JobstateView }
  | { type: 'task'; data: { taskId: string; action: 'create' | 'update' | 'delete' } };

export type LiveState = 'connecting' | 'live' | 'reconnecting';

type Listener = (event: ServerEvent) => void;

/** One event stream per signed-in window, shared by every view that wants live data. */
class EventBus {
  readonly listeners = new Set<Listener>();
  readonly stateListeners = new Set<(state: LiveState) => void>();
  state: LiveState = 'connecting';

  emit(event: ServerEvent) {
    for (const listener of this.listeners) listener(event);
  }

  setState(state: LiveState) {
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

const EventsContext = createContext<EventBus | null>(null);

/**
 * Opens the server's event stream (`/api/v1/events`, SSE with the session cookie).
 * EventSource reconnects by itself; the live state tells the user whether the screen is live.
 */
export function EventsProvider({ children }: { children: ReactNode }) {
  const [bus] = useState(() => new EventBus());
  useEffect(() => {
    const source = new EventSource('/api/v1/events');
    source.onopen = () => bus.setState('live');
    source.onerror = () => bus.setState('reconnecting');
    for (const type of ['run', 'jobstate', 'task'] as const) {
      source.addEventListener(type, (e) => {
        bus.emit({ type, data: JSON.parse((e as MessageEvent<string>).data) } as ServerEvent);
      });
    }
    return () => source.close();
  }, [bus]);
  return <EventsContext.Provider value={bus}>{children}</EventsContext.Provider>;
}

export function useServerEvents(onEvent: Listener): void {
  const bus = useContext(EventsContext);
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    if (!bus) return;
    const listener: Listener = (event) => handler.current(event);
    bus.listeners.add(listener);
    return () => {
      bus.listeners.delete(listener);
    };
  }, [bus]);
}

export function useLiveState(): LiveState {
  const bus = useContext(EventsContext);
  const [state, setState] = useState<LiveState>(bus?.state ?? 'connecting');
  useEffect(() => {
    if (!bus) return;
    setState(bus.state);
    bus.stateListeners.add(setState);
    return () => {
      bus.stateListeners.delete(setState);
    };
  }, [bus]);
  return state;
}

/**
 * Collects keys and calls `fn` with them `ms` after the first one arrived: a burst of events
 * about one task costs one refetch, and a steady stream still refreshes every `ms`.
 */
export function useBatcher(fn: (keys: Set<string>) => void, ms: number): (key: string) => void {
  const pending = useRef(new Set<string>());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  const add = useRef((key: string) => {
    pending.current.add(key);
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      const keys = pending.current;
      pending.current = new Set();
      fnRef.current(keys);
    }, ms);
  });
  return add.current;
}
