import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  notificationKey: string;
}

/**
 * A local SMTP server that keeps every message it accepted, parsed. `failNext(n, match)` makes
 * the next n messages whose subject matches fail with 451 (try again later), as a busy mail
 * server would, so a test can see a retried job send once.
 */
export async function startSmtpCapture(): Promise<{
  url: string;
  messages: CapturedMail[];
  refused: number;
  failNext(count: number, subject: RegExp): void;
  close(): Promise<void>;
}> {
  const messages: CapturedMail[] = [];
  let failures: { count: number; subject: RegExp } | null = null;
  const state = { refused: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail: ParsedMail) => {
          const subject = mail.subject ?? '';
          if (failures && failures.count > 0 && failures.subject.test(subject)) {
            failures.count--;
            state.refused++;
            return callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
          }
          const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
          messages.push({
            to: to?.value[0]?.address ?? '',
            subject,
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : '',
            messageId: mail.messageId ?? '',
            notificationKey: String(mail.headers.get('x-switchyard-notification') ?? ''),
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    get refused() {
      return state.refused;
    },
    failNext: (count, subject) => (failures = { count, subject }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
