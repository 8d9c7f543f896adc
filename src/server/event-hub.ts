import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../core/ports/store.ts';
import type { EngineEvent } from '../engine/context.ts';
import type { Engine } from '../engine/engine.ts';
import { jobstateView, loadRunView } from './views.ts';

export interface EventSubscriber {
  /** Org the subscriber may see; undefined = every org (global admin). */
  orgId: string | undefined;
  send(type: string, data: unknown): void;
  /** Ends the subscriber's stream (server shutdown). */
  end(): void;
}

/**
 * Fans engine events out to SSE subscribers. Each event is rendered once (a run with its
 * jobstate counts costs a query) however many subscribers there are, and in order: the
 * renders are chained, so a subscriber never sees "finished" before "running".
 */
export class EventHub {
  private readonly subscribers = new Set<EventSubscriber>();
  private readonly unsubscribe: () => void;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    engine: Engine,
    private readonly store: Store,
    private readonly log: FastifyBaseLogger,
  ) {
    this.unsubscribe = engine.on((event) => this.enqueue(event));
  }

  subscribe(subscriber: EventSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Stops listening to the engine and ends every open stream, so the server can close. */
  close(): void {
    this.unsubscribe();
    for (const subscriber of this.subscribers) subscriber.end();
    this.subscribers.clear();
  }

  private enqueue(event: EngineEvent): void {
    if (this.subscribers.size === 0) return;
    this.queue = this.queue
      .then(() => this.publish(event))
      .catch((err: unknown) => this.log.warn({ err }, 'event not delivered'));
  }

  private async publish(event: EngineEvent): Promise<void> {
    const { orgId, data } = await this.render(event);
    for (const subscriber of this.subscribers) {
      if (subscriber.orgId === undefined || subscriber.orgId === orgId) subscriber.send(event.type, data);
    }
  }

  private async render(event: EngineEvent): Promise<{ orgId: string; data: unknown }> {
    switch (event.type) {
      case 'run':
        return {
          orgId: event.run.orgId,
          data: await loadRunView(this.store, event.run),
        };
      case 'jobstate':
        return { orgId: event.jobstate.orgId, data: jobstateView(event.jobstate) };
      case 'task':
        return { orgId: event.orgId, data: { taskId: event.taskId, action: event.action } };
    }
  }
}
