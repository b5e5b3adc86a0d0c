/**
 * The journal of an upgrade under way, written before the image is installed and read by the
 * agent that starts after the reboot: which command it answers, which version it expects to run
 * and which it ran before. Parsed strictly, so a damaged journal is reported and dropped rather
 * than answered wrongly.
 *
 * @example
 * const text = formatPendingUpgrade({ id: 'upgrade:7', version: 'B', from: 'A', image_url, sha256, at });
 * parsePendingUpgrade(text); // { ok: true, pending: { id: 'upgrade:7', ... } }
 */
import { z } from 'zod';
import { zodIssueLines } from '../../core/validation-path.ts';

const pendingSchema = z.object({
  id: z.string().min(1).max(64),
  version: z.string().min(1).max(128),
  from: z.string().max(128),
  image_url: z.string().max(2048),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.number().finite(),
});

export type PendingUpgrade = z.infer<typeof pendingSchema>;

export function formatPendingUpgrade(p: PendingUpgrade): string {
  return `${JSON.stringify(p, null, 2)}\n`;
}

export function parsePendingUpgrade(
  text: string,
): { ok: true; pending: PendingUpgrade } | { ok: false; error: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
  const parsed = pendingSchema.safeParse(data);
  return parsed.success
    ? { ok: true, pending: parsed.data }
    : { ok: false, error: zodIssueLines(parsed.error).join('; ') };
}
