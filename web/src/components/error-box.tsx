import { ApiError, isMissingEndpoint } from '../api.js';

/** An error as the user sees it: the API's code and message. */
export function ErrorBox({ error, what }: { error: unknown; what?: string }) {
  if (error === undefined || error === null) return null;
  if (isMissingEndpoint(error))
    return (
      <p class="notice" role="status">
        {what ?? 'This view'} is not available on this server (it is older than the console).
      </p>
    );
  const code = error instanceof ApiError ? error.code : 'error';
  const message = error instanceof Error ? error.message : JSON.stringify(error);
  return (
    <div class="error" role="alert">
      <strong class="error-code">{code}</strong> <span class="error-message">{message}</span>
    </div>
  );
}
