// Benchmarks measure the engine as it is shipped: the compiled JavaScript in dist/ (what
// `npm run build` emits and the published package holds), not the TypeScript sources run
// through tsx — tsx compiles with esbuild's keepNames, which wraps every function the engine
// creates in a name-setting call: more CPU per closure and a property store per closure.
// Loaded after tsx (`node --import tsx --import ./bench/compiled-engine.mjs ...`), it
// redirects every import that resolves into src/ to the same module in dist/; bench files
// themselves stay TypeScript. AION_BENCH_ENGINE=source keeps the sources (through tsx), e.g.
// to compare the two or to profile with source lines.
import { register } from 'node:module';

if (process.env.AION_BENCH_ENGINE !== 'source') {
  register('./compiled-engine-hooks.mjs', import.meta.url);
}
