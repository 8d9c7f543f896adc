import type { MessageContent } from '../../core/notify.ts';
import type { Channel, Notifier } from '../../core/ports/notifications.ts';
import type { WebhookGuard } from './allow-list.ts';
import { type SmtpSettings, sendEmail } from './email.ts';
import { withRunUrls } from './render.ts';
import { postWebhook } from './webhook.ts';

export interface NotifierSettings {
  guard: WebhookGuard;
  smtp: SmtpSettings | null;
  /** Base of the links to runs (TASKWARDEN_PUBLIC_URL); null until known (start.ts then uses where it listens). */
  publicUrl: string | null;
  /** One attempt's time (the mail server's timeouts). */
  timeoutMs: number;
}

/** The server's Notifier: webhooks through the allow list, emails through the admin's mail server. */
export class ServerNotifier implements Notifier {
  constructor(readonly settings: NotifierSettings) {}

  async send(message: { deliveryId: string; channel: Channel; content: MessageContent }, signal: AbortSignal) {
    const { guard, smtp, publicUrl, timeoutMs } = this.settings;
    const content = publicUrl ? withRunUrls(message.content, publicUrl) : message.content;
    if (message.channel.kind === 'email') return sendEmail(smtp, message.channel, content, signal, timeoutMs);
    return postWebhook({ guard, channel: message.channel, deliveryId: message.deliveryId, content, signal });
  }
}
