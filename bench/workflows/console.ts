// Workflow fixture of the console benchmark (`npm run bench -- console`).
import { upsertMemo } from 'aion/workflow';

/** `n` memo upserts: a closed run of `n + 2` events (started, `n` upserts, completed). */
export async function chatty(n: number): Promise<number> {
  for (let i = 0; i < n; i++) upsertMemo({ step: i });
  return n;
}
