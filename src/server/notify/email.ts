import type { MessageContent } from '../../core/notify.ts';
import { type Channel, DeliveryRefused } from '../../core/ports/notifications.ts';
import { htmlOf, subjectOf, textOf } from './render.ts';

/** The global admin's mail server (TASKWARDEN_SMTP_*). */
export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user: string | null;
  password: string | null;
  from: string;
}

/** Hands the message (text and HTML) to the mail server; resolves once it accepted it for every recipient. */
export async function sendEmail(
  smtp: SmtpSettings | null,
  channel: Channel,
  content: MessageContent,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<void> {
  if (!smtp) throw new DeliveryRefused('this server has no mail server set up (TASKWARDEN_SMTP_HOST)');
  // Loaded at the first mail: most servers never send one, and it need not slow every start.
  const { createTransport } = await import('nodemailer');
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  const abort = () => transport.close();
  signal.addEventListener('abort', abort, { once: true });
  try {
    const info = await transport.sendMail({
      from: smtp.from,
      to: channel.to,
      subject: subjectOf(content),
      text: textOf(content),
      html: htmlOf(content),
    });
    if (info.rejected.length > 0) throw new Error(`the mail server refused ${info.rejected.join(', ')}`);
  } finally {
    signal.removeEventListener('abort', abort);
    transport.close();
  }
}
