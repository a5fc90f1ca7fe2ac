/**
 * Waits until `check` holds, polling; fails with `what` after `timeoutMs` (generous by
 * default: tests share a loaded machine, so they wait for conditions, never for times).
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  options: { readonly timeoutMs?: number; readonly what?: string; readonly everyMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${options.what ?? 'a condition'}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 50));
  }
}
