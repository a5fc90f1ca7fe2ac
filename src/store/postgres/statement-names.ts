// Named (prepared) statements of the PostgreSQL adapter. An unnamed statement is parsed and
// planned by the server on every execution; the group commit is one statement of several
// CTEs, and planning it cost about as much as executing it (a single-run commit 1.2 ms
// unnamed, 0.75 ms named, on loopback). A named statement is parsed once per connection
// (`pg` remembers which of its connections prepared which name), and after five executions
// the server keeps a generic plan when it costs no more than the custom ones — right for
// small batches only, so callers ask for a name where the generic plan fits (see
// fast-commit.ts). The statement texts take their variable parts as parameters (arrays for
// batches), so a handful of texts cover all of them.
import { createHash } from 'node:crypto';

/** Distinct texts named at most: a text built with literals would otherwise grow it forever. */
export const MAX_NAMED_STATEMENTS = 1_000;

/**
 * SQLSTATE of "cached plan must not change result type": a prepared statement whose result
 * columns changed under it (a newer node migrated the schema). It keeps failing on every
 * connection that prepared it, so its text runs unnamed from then on.
 */
export const CACHED_PLAN_CHANGED = '0A000';

/** Names statement texts; undefined for a text that runs unnamed. */
export class StatementNames {
  readonly #enabled: boolean;
  readonly #max: number;
  readonly #names = new Map<string, string>();
  /** Texts that failed as prepared statements (see {@link CACHED_PLAN_CHANGED}). */
  readonly #unnamed = new Set<string>();

  constructor(enabled: boolean, max = MAX_NAMED_STATEMENTS) {
    this.#enabled = enabled;
    this.#max = max;
  }

  /**
   * The name of `text`, when it takes parameters (texts without go through the simple
   * protocol, which is what lets them hold several statements). The name is a digest of the
   * text, so stores sharing a caller's pool never give one name to two texts.
   */
  nameOf(text: string, values: readonly unknown[]): string | undefined {
    if (!this.#enabled || values.length === 0) return undefined;
    const known = this.#names.get(text);
    if (known !== undefined) return known;
    if (this.#names.size >= this.#max || this.#unnamed.has(text)) return undefined;
    const name = `aion_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    this.#names.set(text, name);
    return name;
  }

  /** From now on `text` runs unnamed. */
  forget(text: string): void {
    if (this.#names.delete(text)) this.#unnamed.add(text);
  }
}
