/**
 * Shared JSON + zod parsing for command outputs, turning any failure into a ModemOutputError
 * that names the field.
 *
 * @example
 * parseJsonWith('uqmi --get-data-status', '"connected"', z.string()); // 'connected'
 */
import type { z } from 'zod';
import { ModemOutputError } from './errors.ts';

export function parseJsonWith<T>(source: string, text: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ModemOutputError(source, '(document)', (e as Error).message);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ModemOutputError(source, issue.path.join('.') || '(document)', issue.message);
  }
  return parsed.data;
}
