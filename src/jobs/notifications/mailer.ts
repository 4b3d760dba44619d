import nodemailer from 'nodemailer';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Deterministic per notification: a message sent again after a crash carries the same id. */
  messageId: string;
  headers: Record<string, string>;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

/**
 * SMTP through nodemailer, from a URL (`smtp://user:pass@host:587`, `smtps://…` for TLS).
 * Every step has a timeout, so a silent server fails the job (which retries) instead of
 * holding a worker.
 */
export function smtpMailer(url: string, timeoutMs = 10_000): Mailer {
  const transport = nodemailer.createTransport({
    url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  return {
    async send(mail) {
      const info = await transport.sendMail(mail);
      return { messageId: info.messageId };
    },
    close: () => transport.close(),
  };
}
