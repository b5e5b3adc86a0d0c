/**
 * Bearer-token authentication for the API: `POST /api/login` trades a username and password for
 * a token; every other route needs it in the `Authorization: Bearer …` header, never in the URL
 * (URLs end up in logs, history and Referer headers). Browsers cannot set headers on a
 * WebSocket, so the dashboard trades its token for a short-lived single-use ticket
 * (live-tickets.ts) and opens `/api/live?ticket=…`. Each route needs a role: viewer < operator
 * < admin.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.ts';
import type { User, UserRepo, UserRole } from '../store/user-repo.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user?: User;
  }
}

const RANK: Record<UserRole, number> = { viewer: 0, operator: 1, admin: 2 };

export function tokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  return undefined;
}

export function hasRole(user: User, role: UserRole): boolean {
  return RANK[user.role] >= RANK[role];
}

const withArticle = (role: UserRole) => (role === 'viewer' ? `a ${role}` : `an ${role}`);

function refuse(reply: FastifyReply, user: User | undefined, role: UserRole) {
  if (!user) {
    return reply.code(401).send({
      error: 'login required: POST /api/login, then send Authorization: Bearer <token>',
    });
  }
  return reply.code(403).send({
    error: `${user.username} is ${withArticle(user.role)}; this needs ${withArticle(role)} or above`,
  });
}

/** A preHandler that admits a logged-in user with at least `role`. */
export function requireRole(users: UserRepo, clock: Clock, role: UserRole) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const token = tokenOf(request);
    const user = token ? await users.session(token, clock.now()) : undefined;
    if (!user || !hasRole(user, role)) return refuse(reply, user, role);
    request.user = user;
  };
}
