// Summarises a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time and by
// total (inclusive) time, and self time per source file.
//   node --import tsx bench/engine-profile.ts <file.cpuprofile>... [top=25] [--under=<function>]
// `--under=replayHistory` keeps only samples whose stack contains that function (one phase).
// With several files (e.g. the main thread's and the tsx loader thread's), the one with the
// most non-idle samples (the main thread) is summarised.
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

const args = process.argv.slice(2);
const files = args.filter((a) => a.endsWith('.cpuprofile'));
const topArg = args.find((a) => /^\d+$/.test(a));
const under = args.find((a) => a.startsWith('--under='))?.slice('--under='.length);
const top = topArg ? Number.parseInt(topArg, 10) : 25;
const loaded = files.map((f) => ({ f, p: JSON.parse(readFileSync(f, 'utf8')) as CpuProfile }));
const busySamples = (p: CpuProfile): number => {
  const idle = new Set(
    p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id),
  );
  return p.samples.filter((id) => !idle.has(id)).length;
};
const main = loaded.sort((x, y) => busySamples(y.p) - busySamples(x.p))[0];
if (!main) {
  process.stderr.write('usage: engine-profile.ts <file.cpuprofile>... [top]\n');
  process.exit(2);
}
const { f: file, p: profile } = main;

const shortUrl = (url: string): string => {
  if (!url) return '(native)';
  const p = url.replace(/^file:\/\//, '');
  const i = p.indexOf('/node_modules/');
  if (i >= 0) return p.slice(i + 1);
  return p.startsWith('/') ? path.relative(process.cwd(), p) : p;
};
const label = (f: CallFrame): string =>
  `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const isUnder = (id: number): boolean => {
  if (under === undefined) return true;
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    if (byId.get(cur)!.callFrame.functionName === under) return true;
  }
  return false;
};
const selfUs = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i]!;
  if (!isUnder(id)) continue;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const totalUs =
  under === undefined
    ? profile.endTime - profile.startTime
    : [...selfUs.values()].reduce((a, b) => a + b, 0);

// Self time per function label and per file.
const selfByLabel = new Map<string, number>();
const selfByFile = new Map<string, number>();
for (const [id, us] of selfUs) {
  const f = byId.get(id)!.callFrame;
  selfByLabel.set(label(f), (selfByLabel.get(label(f)) ?? 0) + us);
  const fileKey = f.url ? shortUrl(f.url) : `(${f.functionName})`;
  selfByFile.set(fileKey, (selfByFile.get(fileKey) ?? 0) + us);
}

// Inclusive time per label (counted once per stack even under recursion).
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!.callFrame);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + us);
  }
}

const print = (title: string, m: Map<string, number>): void => {
  process.stdout.write(`\n${title}\n`);
  const rows = [...m].sort((x, y) => y[1] - x[1]).slice(0, top);
  for (const [l, us] of rows) {
    const pct = ((100 * us) / totalUs).toFixed(1).padStart(5);
    process.stdout.write(`${pct}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${l}\n`);
  }
};
process.stdout.write(
  `profile ${file}: ${(totalUs / 1000).toFixed(0)} ms ${under ? `sampled under ${under}` : 'wall sampled'}\n`,
);
print('top self time (function)', selfByLabel);
print('top self time (file)', selfByFile);
print('top total (inclusive) time', inclusive);
