/**
 * Where notifications go, as the operator configures it (controller options, CLI flags), checked
 * before the controller starts: webhook URLs must be http(s), e-mail needs both an SMTP server
 * and at least one recipient.
 *
 * @example
 * const senders = notificationSenders({ webhooks: ['https://hooks.example.org/x'] });
 * senders.map((s) => s.name); // ['webhook https://hooks.example.org']
 */
import { IntelliMeshError } from '../../core/errors.ts';
import type { NotificationSender, RetryOptions } from './delivery-queue.ts';
import type { NotifyPolicy } from './notify-policy.ts';
import { smtpSender } from './smtp-sender.ts';
import { webhookSender } from './webhook-sender.ts';

export interface NotifyConfig {
  /** POST each notification's JSON to these URLs. */
  webhooks?: readonly string[];
  /** SMTP server for e-mail, e.g. `smtp://127.0.0.1:25` or `smtps://user:pass@mail:465`. */
  smtpUrl?: string;
  /** E-mail recipients. */
  emailTo?: readonly string[];
  /** @default 'intelli-mesh@localhost' */
  emailFrom?: string;
  policy?: Partial<NotifyPolicy>;
  retry?: Partial<RetryOptions>;
}

/** A notification setting that cannot work; names the setting. */
export class NotifyConfigError extends IntelliMeshError {}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;

export function notificationSenders(c: NotifyConfig): NotificationSender[] {
  const senders: NotificationSender[] = [];
  for (const url of c.webhooks ?? []) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new NotifyConfigError(`--notify-webhook: '${url}' is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new NotifyConfigError(`--notify-webhook: '${url}' is not an http(s) URL`);
    senders.push(webhookSender(url));
  }
  const to = c.emailTo ?? [];
  for (const a of to)
    if (!EMAIL.test(a))
      throw new NotifyConfigError(`--notify-email: '${a}' is not an e-mail address`);
  if (c.smtpUrl !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(c.smtpUrl);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:'))
      throw new NotifyConfigError(`--smtp-url: '${c.smtpUrl}' is not an smtp:// or smtps:// URL`);
    if (to.length === 0)
      throw new NotifyConfigError('--smtp-url needs at least one --notify-email');
  } else if (to.length > 0) {
    throw new NotifyConfigError('--notify-email needs --smtp-url (the server to send through)');
  }
  if (c.smtpUrl !== undefined) {
    const from = c.emailFrom ?? 'intelli-mesh@localhost';
    if (!EMAIL.test(from))
      throw new NotifyConfigError(`--notify-from: '${from}' is not an e-mail address`);
    senders.push(smtpSender({ url: c.smtpUrl, from, to }));
  }
  return senders;
}
