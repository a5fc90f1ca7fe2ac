// A trace id: a link into the tracing UI when the server names one (its `traceUrl` setting,
// `{traceId}` replaced), plain text otherwise. The link opens in a new tab and tells the
// other site nothing about the console (no opener, no referrer).
import { useSession } from '../session.js';

/** `template` with every `{traceId}` replaced by the (escaped) trace id. */
export function traceHref(template: string, traceId: string): string {
  return template.split('{traceId}').join(encodeURIComponent(traceId));
}

export function TraceId({ traceId }: { traceId: string }) {
  const template = useSession().session.traceUrl;
  const code = <code data-testid="trace-id">{traceId}</code>;
  if (!template || !/^https?:\/\//i.test(template)) return code;
  return (
    <a
      href={traceHref(template, traceId)}
      target="_blank"
      rel="noopener noreferrer"
      title="Open the trace (new tab)"
      data-testid="trace-link"
    >
      {code}
    </a>
  );
}
