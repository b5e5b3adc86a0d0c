/**
 * The API's JSON body parser: refuses bodies nested deeper than `MAX_JSON_DEPTH` before parsing
 * (a few hundred KB of `[[[[…` otherwise exhausts the stack in JSON.parse and answered 500), and
 * answers malformed JSON with a 400 that says where. No configuration anywhere needs more than a
 * handful of levels.
 *
 * @example
 * registerJsonBodyParser(app);
 */
import type { FastifyInstance } from 'fastify';

export const MAX_JSON_DEPTH = 64;

export class JsonBodyError extends Error {
  readonly statusCode = 400;
}

/** The deepest nesting of arrays and objects in `text`, stopping early past `limit`. */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    if (jsonDepth(text) > MAX_JSON_DEPTH) {
      return done(
        new JsonBodyError(`JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`),
        undefined,
      );
    }
    try {
      const value: unknown = JSON.parse(text, (key, v: unknown) =>
        key === '__proto__' ? undefined : v,
      );
      done(null, value);
    } catch (err) {
      done(new JsonBodyError(`body is not valid JSON: ${(err as Error).message}`), undefined);
    }
  });
}
