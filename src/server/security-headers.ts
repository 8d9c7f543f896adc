import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * Browser protections on every answer (helmet): a Content-Security-Policy that lets pages
 * load scripts, styles and data only from this server (the UI's and the Swagger UI's
 * files are all served from here; icons and images may be data: URLs), never be framed
 * (clickjacking), and no MIME sniffing nor referrer leaks. Not set here: HSTS and
 * upgrade-insecure-requests, which belong to whatever terminates TLS; a plain-HTTP
 * install must keep working.
 */
export async function installSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(fastifyHelmet, {
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
  });
}

/**
 * The Swagger UI (/api/docs) sets inline styles as it renders; its pages alone may. Styles
 * cannot run code, and its scripts stay limited to this server's files.
 */
export function docsContentSecurityPolicy(policy: string): string {
  return policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");
}
