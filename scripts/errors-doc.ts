// Regenerates docs/errors.md from the error-code registry: `npm run docs:errors`.
import { writeFileSync } from 'node:fs';
import { ERROR_CODES } from '../src/core/error-codes.js';

let doc = `# Error codes

Every engine error carries a stable string \`code\` from one registry (\`src/core/error-codes.ts\`).
The registry only grows: a shipped code keeps its meaning, HTTP status, retryability and
CLI exit code. Over HTTP errors are \`{ code, message, details }\` with the status below; the
CLI prints \`error[<code>]: <message>\` and a hint, and exits with the code below.

CLI exit codes: 0 ok · 1 internal · 2 bad input · 3 not found · 4 conflict / wrong state ·
5 limit exceeded · 6 store or service unavailable · 7 auth · 8 workflow ended unsuccessfully.

| code | HTTP | retryable | exit | meaning |
| --- | --- | --- | --- | --- |
`;
for (const [code, spec] of Object.entries(ERROR_CODES)) {
  doc += `| \`${code}\` | ${spec.http} | ${spec.retryable ? 'yes' : 'no'} | ${spec.exitCode} | ${spec.description} |\n`;
}
writeFileSync(new URL('../docs/errors.md', import.meta.url), doc);
