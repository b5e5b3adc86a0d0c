/**
 * The users of an external broker (Mosquitto, a NATS cluster) as `intelli-mesh broker-config`
 * reads them: a YAML or JSON file with each login's password in clear, since each broker hashes
 * (Mosquitto) or stores (NATS 2.9: clear or bcrypt) it its own way. The embedded broker's file
 * (`--credentials`, scrypt hashes) cannot serve: a hash cannot be turned into another kind.
 *
 * @example
 * // users:
 * //   - { username: controller, password: s3cret, role: controller }
 * //   - { username: gw-1, password: pw1, role: node, site: lab }
 * const users = loadBrokerUsers('broker-users.yaml');
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { IntelliMeshError } from '../core/errors.ts';
import { formatPath } from '../core/validation-path.ts';
import type { Role } from './principal.ts';
import { isTopicName } from './topics.ts';

export class BrokerUsersFileError extends IntelliMeshError {}

export interface BrokerUser {
  username: string;
  password: string;
  role: Role;
  site?: string | undefined;
  network?: string | undefined;
}

const name = z
  .string()
  .refine(isTopicName, { message: 'must be 1-64 characters of letters, digits, _ . or -' });

const fileSchema = z
  .object({
    users: z.array(
      z
        .object({
          username: name,
          password: z.string().min(1),
          role: z.enum(['node', 'controller', 'viewer', 'radio-gateway']),
          site: name.optional(),
          network: name.optional(),
        })
        .strict()
        .superRefine((u, ctx) => {
          if ((u.role === 'radio-gateway') !== (u.network !== undefined))
            ctx.addIssue({
              code: 'custom',
              path: ['network'],
              message:
                u.role === 'radio-gateway'
                  ? 'a radio-gateway needs the radio network it speaks for'
                  : 'only a radio-gateway has a network',
            });
        }),
    ),
  })
  .strict();

export function parseBrokerUsers(text: string, file: string): BrokerUser[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new BrokerUsersFileError(`${file}: not YAML or JSON: ${(err as Error).message}`);
  }
  const result = fileSchema.safeParse(doc);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new BrokerUsersFileError(`${file}: ${formatPath(issue.path)}: ${issue.message}`);
  }
  const seen = new Set<string>();
  for (const u of result.data.users) {
    if (seen.has(u.username))
      throw new BrokerUsersFileError(`${file}: user '${u.username}' is listed twice`);
    seen.add(u.username);
  }
  return result.data.users;
}

export function loadBrokerUsers(file: string): BrokerUser[] {
  return parseBrokerUsers(readFileSync(file, 'utf8'), file);
}
