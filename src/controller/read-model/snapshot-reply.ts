/**
 * Sends a serialised snapshot (dashboard-reads.ts) with its ETag and the time its data was read
 * (`X-Generated-At`, ms since the epoch), or 304 Not Modified when the client's If-None-Match
 * already names that ETag: a dashboard polling an unchanged 6 MB topology gets no body.
 * `X-Refresh-After-Ms` says when a snapshot that misses an announced change catches up.
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
  refreshHint(reply, snapshot);
  if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(body);
}

/**
 * `X-Refresh-After-Ms`: above 0 when this snapshot misses a change announced on the live feed,
 * the ms until a request gets one that has it (cached-read.ts). Without it a dashboard that
 * refetched on that change would keep the older answer until the next change. Sent as 0 too:
 * a browser that revalidates its cached topology (304) keeps stored headers the 304 omits, so
 * an absent header would leave an old hint in place.
 */
export function refreshHint(reply: FastifyReply, snapshot: ReadSnapshot<unknown>): void {
  reply.header('x-refresh-after-ms', String(Math.ceil(snapshot.refreshAfterMs ?? 0)));
}

/** RFC 9110 §13.1.2: a list of tags or `*`, compared weakly (a proxy may mark ours W/). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => bare(tag) === bare(etag));
}
