import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../core/errors.ts';

/**
 * Bodies are JSON only: any other content type answers 415. An empty JSON body is "no body"
 * rather than an error, so `POST …/enable` works whether or not a client sets the header.
 * Parsing refuses __proto__ and constructor keys (prototype poisoning), and bodies nested
 * deeper than `maxDepth`: validators and renderers walk values recursively, and 10,000
 * levels (20 KB of brackets) would overflow their stack — a 500 instead of a 400.
 */
export function installJsonOnly(app: FastifyInstance, maxDepth: number): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    if (nestedDeeperThan(text, maxDepth)) {
      done(new ValidationError('body', `is nested too deeply (at most ${maxDepth} levels of lists and objects)`));
      return;
    }
    parseJson(request, text, done);
  });
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x5b, 0x7b]); // [ {
const CLOSERS = new Set([0x5d, 0x7d]); // ] }

/** One pass over the text, before parsing: brackets inside strings do not count. */
function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (OPENERS.has(c)) {
      if (++depth > max) return true;
    } else if (CLOSERS.has(c)) {
      depth--;
    }
  }
  return false;
}
