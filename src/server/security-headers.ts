import type { OutgoingHttpHeaders } from 'node:http';
import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import { servesMachines } from './machine-traffic.ts';

/**
 * Browser protections on every answer (helmet): a Content-Security-Policy that lets pages
 * load scripts, styles and data only from this server (the UI's and the Swagger UI's
 * files are all served from here; icons and images may be data: URLs), never be framed
 * (clickjacking), and no MIME sniffing nor referrer leaks. Not set here: HSTS and
 * upgrade-insecure-requests, which belong to whatever terminates TLS; a plain-HTTP
 * install must keep working.
 */
const HELMET_OPTIONS: FastifyHelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      baseUri: ["'self'"],
      connectSrc: ["'self'"],
      fontSrc: ["'self'", 'data:'],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      imgSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'"],
    },
  },
  strictTransportSecurity: false,
  xFrameOptions: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
};

/**
 * What the agents' routes answer with (machine-traffic.ts): JSON or XML for a program, never
 * a page, so none of the page directives above, only what keeps a browser from doing
 * anything with such an answer (OWASP's REST security headers): load nothing, be framed
 * nowhere, sniff no other type. Three headers instead of helmet's eleven on each of a fleet's
 * thousands of answers a second: Node checks and copies every header of every answer, and
 * the eight dropped cost the fleet server about a tenth of its CPU (bench/RESULTS.md).
 */
const MACHINE_HEADERS: OutgoingHttpHeaders = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/**
 * The headers are the same on every answer: computed once by helmet at start, then set by
 * one hook, rather than by @fastify/helmet, which builds its middleware (parsing the
 * directives again) for every request — a few % of a busy fleet's CPU. They go with the
 * reply's own headers (reply.headers), not on the raw response: a response with no header
 * set on it yet takes them all at writeHead in one go, where one header set on the raw
 * response makes Node set every other one of the answer, one call and copy each.
 */
export async function installSecurityHeaders(app: FastifyInstance): Promise<void> {
  const headers = await helmetHeaders();
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(servesMachines(request) ? MACHINE_HEADERS : headers);
    done();
  });
}

/** What helmet sets on an answer with HELMET_OPTIONS: read from a throwaway instance, before any route adds its own. */
async function helmetHeaders(): Promise<OutgoingHttpHeaders> {
  const probe = Fastify();
  let headers: OutgoingHttpHeaders = {};
  try {
    await probe.register(fastifyHelmet, HELMET_OPTIONS);
    probe.addHook('onRequest', (_request, reply, done) => {
      headers = reply.raw.getHeaders();
      done();
    });
    probe.get('/', async () => '');
    await probe.inject('/');
  } finally {
    await probe.close();
  }
  // Never start without them: a helmet that changed how it sets them must be noticed here.
  if (headers['content-security-policy'] === undefined) throw new Error('helmet set no Content-Security-Policy');
  return headers;
}

/**
 * The Swagger UI (/api/docs) sets inline styles as it renders; its pages alone may. Styles
 * cannot run code, and its scripts stay limited to this server's files.
 */
export function docsContentSecurityPolicy(policy: string): string {
  return policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");
}
