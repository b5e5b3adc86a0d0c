/**
 * Sends a serialised snapshot (dashboard-reads.ts) with its ETag and the time its data was read
 * (`X-Generated-At`, ms since the epoch), or 304 Not Modified when the client's If-None-Match
 * already names that ETag: a dashboard polling an unchanged 6 MB topology gets no body.
 *
 * @example
 * app.get('/api/topology', async (req, reply) => sendSnapshot(req, reply, await reads.topology()));
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ReadSnapshot } from './cached-read.ts';
import type { SerializedRead } from './dashboard-reads.ts';

export function sendSnapshot(
  request: FastifyRequest,
  reply: FastifyReply,
  snapshot: ReadSnapshot<SerializedRead>,
): FastifyReply {
  const { body, etag } = snapshot.value;
  // no-cache: a browser may keep it but must ask (If-None-Match) before each use.
  reply
    .header('etag', etag)
    .header('cache-control', 'private, no-cache')
    .header('x-generated-at', String(snapshot.generatedAt));
  if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(body);
}

/** RFC 9110 §13.1.2: a list of tags or `*`, compared weakly (a proxy may mark ours W/). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => bare(tag) === bare(etag));
}
