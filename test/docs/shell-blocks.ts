/**
 * Finds the shell code blocks of a Markdown file and how the docs check treats each one.
 *
 * A block is a fenced block whose language is `sh` (or `bash`/`shell`). An HTML comment on
 * the nearest non-blank line before its opening fence decides what the check does:
 *
 * - no marker: run it with bash in a fresh directory;
 * - `<!-- docs-check: server -->`: run it against an `aion server --examples --no-auth` the check starts
 *   on a free loopback port (`AION_ADDRESS` points at it);
 * - `<!-- docs-check: long-running -->`: each command line starts a server; the check starts
 *   it with `AION_PORT` set to a free port, waits until it is ready, stops it with SIGTERM and
 *   expects exit status 0;
 * - `<!-- not-runnable: reason -->`: skipped, reported with its reason (which is required).
 */

export type BlockMode = 'run' | 'server' | 'long-running' | 'not-runnable';

export interface ShellBlock {
  /** Path of the Markdown file, as given. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly code: string;
  readonly mode: BlockMode;
  /** Why the block is not run (`not-runnable` only). */
  readonly reason: string | undefined;
  /** What is wrong with the block's marker or with running it unmarked; the check fails on any. */
  readonly problems: readonly string[];
}

export interface StrayMarker {
  readonly line: number;
  readonly text: string;
}

const SHELL_LANGUAGES = new Set(['sh', 'bash', 'shell']);
const FENCE = /^([ \t]*)(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;
const MARKER = /^\s*<!--\s*(not-runnable|docs-check)\b([\s\S]*?)-->\s*$/;

/** Commands that change the installation or never return: the check refuses them unmarked. */
const INSTALLS = /(^|[\s;&|(])npm\s+(ci|install|i)(\s|$)/;
const SERVES = /(^|[\s;&|(/])aion(\.js)?\s+(server|dev)(\s|$)/;

interface Marker {
  readonly line: number;
  readonly text: string;
  readonly mode: BlockMode;
  readonly reason: string | undefined;
  readonly problem: string | undefined;
}

function parseMarker(line: number, text: string): Marker | undefined {
  const m = MARKER.exec(text);
  if (!m) return undefined;
  const kind = m[1]!;
  const rest = m[2]!.trim();
  const base = { line, text: text.trim() };
  if (kind === 'not-runnable') {
    const reason = rest.startsWith(':') ? rest.slice(1).trim() : '';
    return reason === ''
      ? {
          ...base,
          mode: 'not-runnable',
          reason: undefined,
          problem: `marker on line ${line} needs a reason: <!-- not-runnable: why it cannot run -->`,
        }
      : { ...base, mode: 'not-runnable', reason, problem: undefined };
  }
  const mode = rest.startsWith(':') ? rest.slice(1).trim() : rest;
  if (mode === 'server' || mode === 'long-running')
    return { ...base, mode, reason: undefined, problem: undefined };
  return {
    ...base,
    mode: 'run',
    reason: undefined,
    problem: `marker on line ${line} has an unknown mode ${JSON.stringify(mode)}: use docs-check: server or docs-check: long-running`,
  };
}

/** The block's command text without comments, for spotting commands that need a marker. */
function commandText(code: string): string {
  return code
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, ''))
    .join('\n');
}

function problemsOf(code: string, mode: BlockMode): string[] {
  if (mode === 'not-runnable' || mode === 'long-running') return [];
  const commands = commandText(code);
  const problems: string[] = [];
  if (INSTALLS.test(commands))
    problems.push('the block installs packages: mark it <!-- not-runnable: reason -->');
  if (SERVES.test(commands))
    problems.push(
      'the block runs a server until it is stopped: mark it <!-- docs-check: long-running --> or <!-- not-runnable: reason -->',
    );
  return problems;
}

/** The shell blocks of one Markdown file, and markers that precede no shell block. */
export function shellBlocks(
  file: string,
  text: string,
): { blocks: ShellBlock[]; strayMarkers: StrayMarker[] } {
  const lines = text.split('\n');
  const blocks: ShellBlock[] = [];
  const strayMarkers: StrayMarker[] = [];
  let pending: Marker | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = FENCE.exec(line);
    if (!fence) {
      const marker = parseMarker(i + 1, line);
      if (marker) {
        if (pending) strayMarkers.push({ line: pending.line, text: pending.text });
        pending = marker;
      } else if (line.trim() !== '' && pending) {
        strayMarkers.push({ line: pending.line, text: pending.text });
        pending = undefined;
      }
      continue;
    }
    const [, indent, ticks, language] = fence as unknown as [string, string, string, string];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const closing = lines[j]!.trim();
      if (
        closing.startsWith(ticks[0]!) &&
        /^(`+|~+)$/.test(closing) &&
        closing.length >= ticks.length
      )
        break;
      body.push(lines[j]!.startsWith(indent) ? lines[j]!.slice(indent.length) : lines[j]!);
    }
    const marker = pending;
    pending = undefined;
    if (SHELL_LANGUAGES.has(language.toLowerCase())) {
      const mode = marker?.mode ?? 'run';
      const code = `${body.join('\n')}\n`;
      blocks.push({
        file,
        line: i + 1,
        code,
        mode,
        reason: marker?.reason,
        problems: [...(marker?.problem ? [marker.problem] : []), ...problemsOf(code, mode)],
      });
    } else if (marker) {
      strayMarkers.push({ line: marker.line, text: marker.text });
    }
    i = j;
  }
  if (pending) strayMarkers.push({ line: pending.line, text: pending.text });
  return { blocks, strayMarkers };
}

/**
 * The command lines of a long-running block: comments and blank lines dropped, lines ending
 * in a backslash joined with the next.
 */
export function commandLines(code: string): string[] {
  const joined = code.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}
