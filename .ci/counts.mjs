// Prints a Vitest JSON report's test counts: "N passed, N failed, N skipped (F files)", or with
// --numbers just "passed failed skipped" for the totals of .ci/run.
import { readFileSync } from 'node:fs';

const numbers = process.argv[2] === '--numbers';
const report = JSON.parse(readFileSync(process.argv[numbers ? 3 : 2], 'utf8'));
const passed = report.numPassedTests;
const failed = report.numFailedTests;
const skipped = report.numPendingTests + report.numTodoTests;
console.log(
  numbers
    ? `${passed} ${failed} ${skipped}`
    : `${passed} passed, ${failed} failed, ${skipped} skipped (${report.testResults.length} files)`,
);
