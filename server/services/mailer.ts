/**
 * Outgoing mail: SMTP through nodemailer when `SMTP_URL` is set; otherwise (in
 * development) a mailer that logs what a developer needs to confirm by hand.
 */
import type { FastifyBaseLogger } from 'fastify';
import nodemailer from 'nodemailer';

export interface Mail {
  to: string;
  from: string;
  subject: string;
  text: string;
  /** What the development mailer logs instead of sending (the link inside the encrypted body). */
  devNote?: string;
}

export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): Promise<void>;
}

export function smtpMailer(url: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    async send(mail) {
      await transport.sendMail({ to: mail.to, from: mail.from, subject: mail.subject, text: mail.text });
    },
    async close() {
      transport.close();
    },
  };
}

/** Development only: nothing is sent; the link is logged. */
export function logMailer(log: FastifyBaseLogger): Mailer {
  return {
    async send(mail) {
      log.warn({ mail: { subject: mail.subject, note: mail.devNote } }, 'SMTP_URL is not set: mail not sent');
    },
    async close() {},
  };
}

/** Tests: keeps the mails. */
export function memoryMailer(): Mailer & { sent: Mail[] } {
  const sent: Mail[] = [];
  return {
    sent,
    async send(mail) {
      sent.push(mail);
    },
    async close() {},
  };
}
