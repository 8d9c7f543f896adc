import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AGENT_LONG_POLL_MAX_SECONDS,
  ContactBody,
  ContactReply,
  EnrolBody,
  EnrolReply,
  EventsBody,
  EventsReply,
} from '../../protocol/agent.ts';
import { IdParams } from '../../protocol/common.ts';
import { agentOf } from '../agent-auth.ts';
import { ContactStops, claimOrWait, DEFAULT_CAPACITY, recordContact } from '../agent-contact.ts';
import { enrolAgent } from '../agent-enrolment.ts';
import { LocalAgentWaiters } from '../agent-waiters.ts';
import { AgentWaker } from '../agent-wake.ts';
import type { ServerContext } from '../context.ts';
import { withDeadline } from '../deadline.ts';
import { iso } from '../views.ts';

/** Body limits: a contact lists up to 1,000 running ids; an event batch up to 1,000 events. */
const ENROL_BODY_LIMIT = 16 * 1024;
const CONTACT_BODY_LIMIT = 128 * 1024;
const EVENTS_BODY_LIMIT = 256 * 1024;
/** Real-time bound of a request beyond the long-poll it asked for. */
const HANDLER_DEADLINE_MS = 30_000;

/**
 * The agent protocol, `/agent/v1` (protocol/agent.ts): enrolment (public, but only with a
 * valid enrolment token), contact with long-poll, and batched job events. Every call but
 * enrol is authenticated by the agent's own credential (`auth: 'agent'`); ids in bodies
 * never name another agent. Also starts what serves agents between requests: the long-poll
 * waiters and the push waker.
 */
export const agentProtocolRoutes: FastifyPluginAsyncTypebox<ServerContext> = async (app, ctx) => {
  const { store, engine, clock, closing } = ctx;
  const waiters = new LocalAgentWaiters(engine, clock);
  const stops = new ContactStops(closing);
  const waker = new AgentWaker({ engine, store, clock, log: app.log });
  app.addHook('preClose', async () => waiters.close());
  app.addHook('onClose', async () => waker.close());

  app.post(
    '/agent/v1/enrol',
    {
      config: { auth: 'public' },
      bodyLimit: ENROL_BODY_LIMIT,
      schema: {
        tags: ['agent protocol'],
        security: [],
        body: EnrolBody,
        response: { 200: EnrolReply, 201: EnrolReply },
      },
    },
    async (request, reply) => {
      const enrolled = await withDeadline(
        HANDLER_DEADLINE_MS,
        'enrolment',
        enrolAgent(store, { body: request.body, from: request.ip, now: clock.now() }),
      );
      request.log.info({ agentId: enrolled.agent.id, created: enrolled.created }, 'agent enrolled');
      await engine.joinLate(enrolled.agent.id);
      return reply.code(enrolled.created ? 201 : 200).send({
        agentId: enrolled.agent.id,
        secret: enrolled.secret,
        contactSeconds: enrolled.agent.contactSeconds,
        tags: enrolled.agent.tags,
      });
    },
  );

  app.post(
    '/agent/v1/contact',
    {
      config: { auth: 'agent' },
      bodyLimit: CONTACT_BODY_LIMIT,
      schema: { tags: ['agent protocol'], body: ContactBody, response: { 200: ContactReply } },
    },
    async (request, reply) => {
      const caller = agentOf(request);
      const { body } = request;
      const waitSeconds = Math.min(body.wait ?? 0, AGENT_LONG_POLL_MAX_SECONDS);
      const answerContact = async (signal: AbortSignal) => {
        const contactAt = clock.now();
        const { agent, touchAt } = await recordContact(engine, {
          agent: caller,
          body,
          from: request.ip,
          now: contactAt,
        });
        const stopIds = await engine.agents.reconcile(agent.id, body.running, contactAt, {
          reoffer: body.replyLost === true,
        });
        await engine.joinLate(agent);
        const capacity = body.capacity ?? DEFAULT_CAPACITY;
        const wanted = { capacity, waitSeconds, holding: body.running, touchAt };
        const jobs = await claimOrWait({ engine, clock, waiters }, agent, wanted, signal);
        return { jobs, stop: stopIds, contactSeconds: agent.contactSeconds, serverTime: iso(clock.now()) };
      };
      const stop = stops.open();
      reply.raw.once('close', () => stop.gone());
      const work = answerContact(stop.signal).finally(() => stop.end());
      const answer = await withDeadline(waitSeconds * 1000 + HANDLER_DEADLINE_MS, 'contact', work);
      if (answer.jobs.length > 0) reply.raw.once('finish', () => engine.ctx.crashAt('agent-reply-sent'));
      return answer;
    },
  );

  app.post(
    '/agent/v1/jobstates/:id/events',
    {
      config: { auth: 'agent' },
      bodyLimit: EVENTS_BODY_LIMIT,
      schema: { tags: ['agent protocol'], params: IdParams, body: EventsBody, response: { 200: EventsReply } },
    },
    async (request) => {
      const agent = agentOf(request);
      const { attempt, events } = request.body;
      const applied = engine.agents.applyEvents(agent.id, request.params.id, attempt, events);
      return withDeadline(HANDLER_DEADLINE_MS, 'events', applied);
    },
  );
};
