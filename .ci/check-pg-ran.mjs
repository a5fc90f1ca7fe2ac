// Fails unless the Vitest JSON report shows passed PostgreSQL tests and no skipped ones.
// The docs check (test/docs) is left out: its tests are documentation blocks, and one that
// mentions PostgreSQL is skipped for the reason written beside it, whatever the server does.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
let passed = 0;
let skipped = 0;
for (const file of report.testResults) {
  if (file.name.includes('/test/docs/')) continue;
  for (const test of file.assertionResults) {
    const name = `${file.name} ${test.fullName}`.toLowerCase();
    if (!name.includes('postgres')) continue;
    if (test.status === 'passed') passed++;
    else if (test.status === 'skipped' || test.status === 'pending' || test.status === 'todo')
      skipped++;
  }
}
console.log(`postgres tests: ${passed} passed, ${skipped} skipped`);
if (passed === 0 || skipped > 0) {
  console.error(
    'PostgreSQL tests did not all run: CI requires them (is the server up on 127.0.0.1:5432?)',
  );
  process.exit(1);
}
