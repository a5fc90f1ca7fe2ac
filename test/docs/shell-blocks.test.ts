import { describe, expect, it } from 'vitest';
import { commandLines, shellBlocks } from './shell-blocks.js';

const fence = '```';

function parse(text: string): ReturnType<typeof shellBlocks> {
  return shellBlocks('x.md', text);
}

describe('shellBlocks', () => {
  it('finds sh, bash and shell blocks with their line and code, and ignores others', () => {
    const { blocks } = parse(
      [
        '# Title',
        `${fence}sh`,
        'aion --help',
        fence,
        `${fence}ts`,
        'const x = 1;',
        fence,
        `${fence}bash`,
        'echo one',
        'echo two',
        fence,
        `${fence}shell`,
        'true',
        fence,
      ].join('\n'),
    );
    expect(blocks.map((b) => [b.line, b.code, b.mode])).toEqual([
      [2, 'aion --help\n', 'run'],
      [8, 'echo one\necho two\n', 'run'],
      [12, 'true\n', 'run'],
    ]);
  });

  it('reads an indented fence (in a list item) and strips the indentation', () => {
    const { blocks } = parse(
      ['1. Step', '', `   ${fence}sh`, '   aion list', `   ${fence}`].join('\n'),
    );
    expect(blocks.map((b) => b.code)).toEqual(['aion list\n']);
  });

  it('does not treat a fence inside another block as a block', () => {
    const { blocks } = parse(
      [`${fence}\``, 'markdown:', `${fence}sh`, 'rm -rf /', fence, `${fence}\``].join('\n'),
    );
    expect(blocks).toEqual([]);
  });

  it('applies the marker on the nearest non-blank line before the fence', () => {
    const { blocks, strayMarkers } = parse(
      [
        '<!-- docs-check: server -->',
        '',
        `${fence}sh`,
        'aion list',
        fence,
        '<!-- docs-check: long-running -->',
        `${fence}sh`,
        'aion server',
        fence,
        '<!-- not-runnable: needs a PostgreSQL host -->',
        `${fence}sh`,
        'aion server --store postgres://db/aion',
        fence,
      ].join('\n'),
    );
    expect(blocks.map((b) => [b.mode, b.reason, b.problems])).toEqual([
      ['server', undefined, []],
      ['long-running', undefined, []],
      ['not-runnable', 'needs a PostgreSQL host', []],
    ]);
    expect(strayMarkers).toEqual([]);
  });

  it('refuses a not-runnable marker without a reason, and an unknown mode', () => {
    const { blocks } = parse(
      [
        '<!-- not-runnable -->',
        `${fence}sh`,
        'true',
        fence,
        '<!-- not-runnable:   -->',
        `${fence}sh`,
        'true',
        fence,
        '<!-- docs-check: servr -->',
        `${fence}sh`,
        'true',
        fence,
      ].join('\n'),
    );
    expect(blocks.map((b) => b.problems.length)).toEqual([1, 1, 1]);
    expect(blocks[0]!.problems[0]).toMatch(/needs a reason/);
    expect(blocks[2]!.problems[0]).toMatch(/unknown mode "servr"/);
  });

  it('refuses unmarked installs and servers, but not mentions in comments', () => {
    const { blocks } = parse(
      [
        `${fence}sh`,
        'npm ci && npm test',
        fence,
        `${fence}sh`,
        'node bin/aion.js server --examples',
        fence,
        '<!-- docs-check: server -->',
        `${fence}sh`,
        'aion dev',
        fence,
        `${fence}sh`,
        'aion list   # works once `aion server` runs; after npm ci',
        'npm run build',
        fence,
      ].join('\n'),
    );
    expect(blocks.map((b) => b.problems.length)).toEqual([1, 1, 1, 0]);
    expect(blocks[0]!.problems[0]).toMatch(/installs packages/);
    expect(blocks[1]!.problems[0]).toMatch(/runs a server/);
  });

  it('reports markers that precede no shell block', () => {
    const { strayMarkers } = parse(
      [
        '<!-- not-runnable: orphan -->',
        'Some text.',
        '<!-- docs-check: server -->',
        `${fence}ts`,
        'x',
        fence,
        '<!-- docs-check: server -->',
      ].join('\n'),
    );
    expect(strayMarkers.map((m) => m.line)).toEqual([1, 3, 7]);
  });
});

describe('commandLines', () => {
  it('drops comments and blank lines and joins continued lines', () => {
    expect(
      commandLines(
        ['# a comment', 'aion server   # default', '', 'aion server \\', '  --examples', ''].join(
          '\n',
        ),
      ),
    ).toEqual(['aion server   # default', 'aion server    --examples']);
  });
});
