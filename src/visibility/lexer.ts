/** Tokenizer of the visibility query language. Positions are 0-based offsets into the query. */
import { queryError } from './query-error.js';

export type TokenKind = 'ident' | 'string' | 'number' | 'punct' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** The token as written (for strings: with quotes). Empty at the end of the query. */
  readonly text: string;
  /** Identifiers and punctuation: the text; strings: the unescaped content; numbers: the digits. */
  readonly value: string;
  readonly position: number;
}

const PUNCT = ['<=', '>=', '!=', '<>', '=', '<', '>', '(', ')', ','] as const;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const WORD_CHAR = /[A-Za-z0-9_.]/;

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
}

/** Splits `text` into tokens, ending with an `end` token; throws on malformed tokens. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (isSpace(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === "'" || ch === '"') {
      // SQL style: the quote character doubled inside the string stands for itself.
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) {
          throw queryError(
            text,
            start,
            text.slice(start),
            `unterminated string starting at position ${start}: close it with ${ch} (write ${ch}${ch} for a ${ch} inside it)`,
          );
        }
        const c = text[i]!;
        if (c === ch) {
          if (text[i + 1] === ch) {
            value += ch;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += c;
        i++;
      }
      tokens.push({ kind: 'string', text: text.slice(start, i), value, position: start });
      continue;
    }
    NUMBER.lastIndex = i;
    const num = NUMBER.exec(text);
    if (num !== null && (ch !== '-' || num[0].length > 1)) {
      i += num[0].length;
      if (i < text.length && WORD_CHAR.test(text[i]!)) {
        while (i < text.length && WORD_CHAR.test(text[i]!)) i++;
        const bad = text.slice(start, i);
        throw queryError(text, start, bad, `invalid number '${bad}' at position ${start}`);
      }
      tokens.push({ kind: 'number', text: num[0], value: num[0], position: start });
      continue;
    }
    IDENT.lastIndex = i;
    const ident = IDENT.exec(text);
    if (ident !== null) {
      i += ident[0].length;
      tokens.push({ kind: 'ident', text: ident[0], value: ident[0], position: start });
      continue;
    }
    const punct = PUNCT.find((p) => text.startsWith(p, i));
    if (punct !== undefined) {
      i += punct.length;
      tokens.push({ kind: 'punct', text: punct, value: punct, position: start });
      continue;
    }
    const char = String.fromCodePoint(text.codePointAt(i)!);
    throw queryError(
      text,
      start,
      char,
      `unexpected character '${char}' at position ${start}: expected a name, a value, an operator or parentheses`,
    );
  }
  tokens.push({ kind: 'end', text: '', value: '', position: text.length });
  return tokens;
}
