/**
 * Bearer-token authentication for the API: `POST /api/login` trades a username and password for
 * a token; every other route needs one (header `Authorization: Bearer …`, or `?token=` for the
 * WebSocket, which browsers cannot give headers), and admin-only routes check the role.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.ts';
import type { User, UserRepo } from '../store/user-repo.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user?: User;
  }
}

export function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const query = request.query as { token?: unknown } | undefined;
  return typeof query?.token === 'string' ? query.token : undefined;
}

/** A preHandler that admits any logged-in user, or only admins. */
export function requireRole(users: UserRepo, clock: Clock, role: 'viewer' | 'admin') {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const token = tokenOf(request);
    const user = token ? users.session(token, clock.now()) : undefined;
    if (!user) {
      return reply.code(401).send({
        error: 'login required: POST /api/login, then send Authorization: Bearer <token>',
      });
    }
    if (role === 'admin' && user.role !== 'admin') {
      return reply
        .code(403)
        .send({ error: `${user.username} is a ${user.role}; this needs an admin` });
    }
    request.user = user;
  };
}
