// Named (prepared) statements of the PostgreSQL adapter. An unnamed statement is parsed and
// planned by the server on every execution; the group commit is one statement of several
// CTEs, and planning it cost about as much as executing it (a single-run commit 1.2 ms
// unnamed, 0.75 ms named, on loopback). A named statement is parsed once per connection
// (`pg` remembers which of its connections prepared which name), and after five executions
// the server keeps a generic plan when it costs no more than the custom ones — right for
// small batches only, so callers ask for a name where the generic plan fits (see
// fast-commit.ts). The statement texts take their variable parts as parameters (arrays for
// batches), so a handful of texts cover all of them.
// A generic plan is made once per connection and kept until the tables' statistics change,
// which autovacuum records only every minute or so. Plans made while a new schema's tables
// were nearly empty (a sequential scan is cheapest then) would otherwise keep scanning them
// whole as they grow; so the names change after 1,000, 10,000 and 100,000 executions,
// and every connection prepares each text again, planned against the tables as they are.
import { createHash } from 'node:crypto';

/** Distinct texts named at most: a text built with literals would otherwise grow it forever. */
export const MAX_NAMED_STATEMENTS = 1_000;

/**
 * SQLSTATE of "cached plan must not change result type": a prepared statement whose result
 * columns changed under it (a newer node migrated the schema). It keeps failing on every
 * connection that prepared it, so its text runs unnamed from then on.
 */
export const CACHED_PLAN_CHANGED = '0A000';

/** Executions of statements with parameters after which the names change (see the top of this file). */
export const RENAME_AFTER: readonly number[] = [1_000, 10_000, 100_000];

/** Names statement texts; undefined for a text that runs unnamed. */
export class StatementNames {
  readonly #enabled: boolean;
  readonly #max: number;
  readonly #renameAfter: readonly number[];
  #names = new Map<string, string>();
  /** Executions of statements with parameters so far, and how many renames they have passed. */
  #executions = 0;
  #generation = 0;
  /** Texts that failed as prepared statements (see {@link CACHED_PLAN_CHANGED}). */
  readonly #unnamed = new Set<string>();

  constructor(enabled: boolean, max = MAX_NAMED_STATEMENTS, renameAfter = RENAME_AFTER) {
    this.#enabled = enabled;
    this.#max = max;
    this.#renameAfter = renameAfter;
  }

  /**
   * The name of `text`, when it takes parameters (texts without go through the simple
   * protocol, which is what lets them hold several statements). The name is a digest of the
   * text (and, after the first rename, the rename's number), so stores sharing a caller's pool
   * never give one name to two texts.
   */
  nameOf(text: string, values: readonly unknown[]): string | undefined {
    if (!this.#enabled || values.length === 0) return undefined;
    if (++this.#executions === this.#renameAfter[this.#generation]) {
      this.#generation++;
      this.#names = new Map();
    }
    const known = this.#names.get(text);
    if (known !== undefined) return known;
    if (this.#names.size >= this.#max || this.#unnamed.has(text)) return undefined;
    const digest = createHash('sha1').update(text).digest('hex').slice(0, 24);
    const name = this.#generation === 0 ? `aion_${digest}` : `aion_${digest}_${this.#generation}`;
    this.#names.set(text, name);
    return name;
  }

  /** From now on `text` runs unnamed. */
  forget(text: string): void {
    if (this.#names.delete(text)) this.#unnamed.add(text);
  }
}
