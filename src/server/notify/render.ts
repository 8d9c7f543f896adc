// What a message says, for each way it is sent: the webhook's JSON (with links to the runs),
// an email's subject, plain text and HTML.
import type { MessageContent, RunEvent } from '../../core/notify.ts';

/** The web UI's page of a run. */
export function runUrl(publicUrl: string, runId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/#/runs/${encodeURIComponent(runId)}`;
}

/** The content with `run.url` set on every run event in it. */
export function withRunUrls(content: MessageContent, publicUrl: string): MessageContent {
  const linked = (event: RunEvent): RunEvent => ({
    ...event,
    run: { ...event.run, url: runUrl(publicUrl, event.run.id) },
  });
  if (content.event === 'test') return content;
  if (content.event === 'digest') return { ...content, events: content.events.map(linked) };
  return linked(content);
}

export function subjectOf(content: MessageContent): string {
  return `[Taskwarden] ${content.summary}`;
}

/** The plain-text body of an email; `content` has its run URLs. */
export function textOf(content: MessageContent): string {
  if (content.event === 'test') return `${content.summary}.\n\nIf you read this, the channel works.\n`;
  if (content.event === 'digest') {
    const lines = content.events.map((e) => `- ${e.summary}\n  ${e.line}\n  ${e.run.url ?? ''}`.trimEnd());
    const more = content.omitted > 0 ? [`… and ${content.omitted} more`] : [];
    return `${content.summary}.\n\n${[...lines, ...more].join('\n')}\n`;
  }
  return `${content.summary}.\n\n${eventText(content)}`;
}

function eventText(event: RunEvent): string {
  const failed = event.failed.map((f) => `  ${f.agent}  ${f.job}  ${f.reason ?? ''}`.trimEnd());
  const more =
    event.failedTotal > event.failed.length ? [`  … and ${event.failedTotal - event.failed.length} more`] : [];
  const parts = [
    event.line,
    failed.length > 0 ? `Failed targets (${event.failedTotal}):\n${[...failed, ...more].join('\n')}` : '',
    `Started ${event.run.startedAt ?? '—'}, ended ${event.run.finishedAt ?? '—'}.`,
    event.run.url ? `Run: ${event.run.url}` : '',
  ];
  return `${parts.filter((p) => p !== '').join('\n\n')}\n`;
}

/** The HTML body of an email: the same as the text, every value escaped. */
export function htmlOf(content: MessageContent): string {
  let body: string;
  if (content.event === 'test') body = `<p>${esc(content.summary)}. If you read this, the channel works.</p>`;
  else if (content.event === 'digest') {
    const items = content.events.map((e) => `<li>${link(e)}<br><code>${esc(e.line)}</code></li>`).join('');
    const more = content.omitted > 0 ? `<li>… and ${content.omitted} more</li>` : '';
    body = `<p>${esc(content.summary)}.</p><ul>${items}${more}</ul>`;
  } else body = eventHtml(content);
  return `<!doctype html><html><body style="font-family: sans-serif">${body}</body></html>`;
}

function eventHtml(event: RunEvent): string {
  const rows = event.failed
    .map((f) => `<tr><td>${esc(f.agent)}</td><td>${esc(f.job)}</td><td>${esc(f.reason ?? '')}</td></tr>`)
    .join('');
  const more =
    event.failedTotal > event.failed.length
      ? `<p>… and ${event.failedTotal - event.failed.length} more failed targets.</p>`
      : '';
  const table =
    rows === ''
      ? ''
      : `<h3>Failed targets (${event.failedTotal})</h3><table border="1" cellpadding="4" cellspacing="0">` +
        `<tr><th>Target</th><th>Job</th><th>Reason</th></tr>${rows}</table>${more}`;
  return (
    `<p>${link(event)}.</p><p><code>${esc(event.line)}</code></p>${table}` +
    `<p>Started ${esc(event.run.startedAt ?? '—')}, ended ${esc(event.run.finishedAt ?? '—')}.</p>`
  );
}

function link(event: RunEvent): string {
  return event.run.url ? `<a href="${esc(event.run.url)}">${esc(event.summary)}</a>` : esc(event.summary);
}

function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}
