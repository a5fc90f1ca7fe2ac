// `npm run yardstick -- <suite> [options]`: measures how much workflow code written for Temporal
// runs unchanged on Aion. Each suite module exports `main(argv)` and is loaded only when asked
// for, so one suite's inputs are never needed to run another.
//   sdk      Temporal TypeScript SDK test workflows (see yardstick/sdk/index.ts)
//   samples  Temporal's TypeScript samples (see yardstick/samples/index.ts)
// Each suite prints one JSON line per item and a summary line on standard output.

interface Suite {
  readonly about: string;
  readonly load: () => Promise<{ main(argv: readonly string[]): Promise<number> }>;
}

const SUITES: Readonly<Record<string, Suite>> = {
  sdk: {
    about:
      'sdk [--repo <sdk-typescript clone or bare git dir>] [--only name…] [--runs-only] [--keep]',
    load: () => import('./sdk/index.js'),
  },
  samples: {
    about:
      'samples [--repo <samples-typescript clone or bare git dir>] [--only name…] [--install] [--keep]',
    load: () => import('./samples/index.js'),
  },
};

function usage(message: string): number {
  const lines = Object.values(SUITES).map((s) => `       npm run yardstick -- ${s.about}`);
  process.stderr.write(`${message}\nusage:\n${lines.join('\n')}\n`);
  return 2;
}

const [name, ...rest] = process.argv.slice(2);
const suite = name === undefined ? undefined : SUITES[name];
process.exitCode = suite
  ? await (await suite.load()).main(rest)
  : usage('unknown or missing suite');
