import { createHash } from 'node:crypto';
import { invalidArgument } from '../../core/index.js';
import type { RunCommit } from '../contract/index.js';

/** The NOTIFY channels of a schema's inbox: one for sent messages, one for done ones. */
export interface InboxChannels {
  /** Payload: the shard the message was sent to. */
  readonly sent: string;
  /** Payload: the id of the message done. */
  readonly done: string;
}

/** Channel names are identifiers: at most 63 bytes. */
const MAX_BASE = 50;

/**
 * Channels per schema, so stores in other schemas of one database do not wake each other. A
 * long schema name is shortened with a hash of the whole name (schema names are
 * `[a-z0-9_]`, validated by quoteSchema, so the names need no quoting beyond double quotes).
 */
export function inboxChannels(schema: string): InboxChannels {
  const base =
    schema.length <= MAX_BASE
      ? schema
      : `${schema.slice(0, MAX_BASE - 9)}_${createHash('sha256').update(schema).digest('hex').slice(0, 8)}`;
  return { sent: `aion_inbox_${base}`, done: `aion_done_${base}` };
}

/** A BIGSERIAL value; kept as text, so ids past 2^53 stay exact. */
const ID_RE = /^[1-9][0-9]{0,17}$/;

/** The inbox ids of some commits, checked to be inbox ids (positive integers). */
export function inboxDoneIds(commits: readonly RunCommit[]): string[] {
  const ids: string[] = [];
  for (const c of commits) {
    for (const id of c.inboxDone ?? []) {
      if (!ID_RE.test(id)) {
        throw invalidArgument(`inboxDone holds ${JSON.stringify(id)}, which is no inbox id`, {
          field: 'inboxDone',
          runId: c.run.runId,
        });
      }
      ids.push(id);
    }
  }
  return ids;
}

/**
 * SQL that marks pending messages `$first` (a BIGINT array) done with `{ ok: true }` and
 * notifies `$first + 1` (the done channel) of each, as a CTE body. A message already done (by
 * another path) is left as it is and not notified again.
 */
export function inboxDoneSql(s: string, first: number): string {
  return `UPDATE ${s}.inbox SET done_at = now(), outcome = '{"ok":true}'::jsonb
    WHERE id = ANY($${first}::int8[]) AND done_at IS NULL
    RETURNING pg_notify($${first + 1}::text, id::text)`;
}

/** The parameters of {@link inboxDoneSql}. */
export function inboxDoneParams(ids: readonly string[], channel: string): unknown[] {
  return [`{${ids.join(',')}}`, channel];
}
