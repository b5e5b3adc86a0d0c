/**
 * Sends each notification as a plain-text e-mail over SMTP (nodemailer), to one or more
 * addresses. The SMTP URL carries host, port, TLS and login as nodemailer reads it:
 * `smtp://host:25`, `smtps://user:pass@host:465`, `smtp://host:587` (STARTTLS when offered).
 *
 * @example
 * const sender = smtpSender({ url: 'smtp://127.0.0.1:2525', from: 'mesh@lab', to: ['ops@lab'] });
 * await sender.send(notification);
 */
import nodemailer from 'nodemailer';
import type { NotificationSender } from './delivery-queue.ts';
import { emailText } from './email-text.ts';

export interface SmtpSenderOptions {
  url: string;
  from: string;
  to: readonly string[];
}

export function smtpSender(o: SmtpSenderOptions): NotificationSender & { close(): void } {
  const transport = nodemailer.createTransport(o.url);
  return {
    name: `e-mail ${o.to.join(', ')}`,
    send: async (n) => {
      const { subject, text } = emailText(n);
      await transport.sendMail({ from: o.from, to: [...o.to], subject, text });
    },
    close: () => transport.close(),
  };
}
