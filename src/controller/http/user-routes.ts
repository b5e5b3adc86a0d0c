/**
 * The admin's user management routes: list, add, change a password or a role, remove. A changed
 * password or a removed user ends that user's sessions and closes their live sockets; every
 * change goes on the timeline (user-accounts.ts) and out on the live feed.
 *
 * Routes: GET /api/users, POST /api/users, PUT /api/users/:name/password,
 * PUT /api/users/:name/role, DELETE /api/users/:name — admin only.
 *
 * @example
 * registerUserRoutes(app, { accounts, live }, admin);
 */
import type { FastifyInstance, FastifyReply, preHandlerHookHandler } from 'fastify';
import { z } from 'zod';
import { zodIssueLines } from '../../core/validation-path.ts';
import { USER_ROLES } from '../store/user-repo.ts';
import type { StoredEvent } from '../store/event-repo.ts';
import { UserAccountError, type UserAccounts } from '../user-accounts.ts';
import type { LiveHub } from './live-hub.ts';

const addBody = z.strictObject({
  username: z.string().min(1).max(64),
  role: z.enum(USER_ROLES),
  password: z.string().min(1).max(1024),
});
const passwordBody = z.strictObject({ password: z.string().min(1).max(1024) });
const roleBody = z.strictObject({ role: z.enum(USER_ROLES) });

type Params = { Params: { name: string } };

export function registerUserRoutes(
  app: FastifyInstance,
  deps: { accounts: UserAccounts; live: LiveHub },
  admin: preHandlerHookHandler,
): void {
  const { accounts, live } = deps;

  // The event reaches live viewers through the event store's announcement, as every controller fact.
  const done = (event: StoredEvent) => ({ ok: true, event });
  const failed = (reply: FastifyReply, err: unknown) => {
    if (err instanceof UserAccountError) return reply.code(err.status).send({ error: err.message });
    throw err;
  };
  const invalid = (reply: FastifyReply, where: string, error: z.ZodError) =>
    reply.code(400).send({ error: `invalid ${where}`, issues: zodIssueLines(error) });

  app.get('/api/users', { preHandler: admin }, async () => accounts.list());

  app.post('/api/users', { preHandler: admin }, async (request, reply) => {
    const body = addBody.safeParse(request.body);
    if (!body.success) return invalid(reply, 'user', body.error);
    try {
      const { username, role, password } = body.data;
      const result = done(await accounts.add(request.user!.username, username, role, password));
      return reply.code(201).send(result);
    } catch (err) {
      return failed(reply, err);
    }
  });

  app.put<Params>('/api/users/:name/password', { preHandler: admin }, async (request, reply) => {
    const body = passwordBody.safeParse(request.body);
    if (!body.success) return invalid(reply, 'password body', body.error);
    try {
      const name = request.params.name;
      const event = await accounts.setPassword(request.user!.username, name, body.data.password);
      live.closeUser(name);
      return done(event);
    } catch (err) {
      return failed(reply, err);
    }
  });

  app.put<Params>('/api/users/:name/role', { preHandler: admin }, async (request, reply) => {
    const body = roleBody.safeParse(request.body);
    if (!body.success) return invalid(reply, 'role body', body.error);
    try {
      const name = request.params.name;
      const event = await accounts.setRole(request.user!.username, name, body.data.role);
      live.closeUser(name);
      return done(event);
    } catch (err) {
      return failed(reply, err);
    }
  });

  app.delete<Params>('/api/users/:name', { preHandler: admin }, async (request, reply) => {
    try {
      const name = request.params.name;
      const event = await accounts.remove(request.user!.username, name);
      live.closeUser(name);
      return done(event);
    } catch (err) {
      return failed(reply, err);
    }
  });
}
