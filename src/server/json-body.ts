import type { FastifyInstance } from 'fastify';

/**
 * Bodies are JSON only: any other content type answers 415. An empty JSON body is "no body"
 * rather than an error, so `POST …/enable` works whether or not a client sets the header.
 * Parsing refuses __proto__ and constructor keys (prototype poisoning).
 */
export function installJsonOnly(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, text, done);
  });
}
