// Adds up the vitest JSON reports of every package and prints one closing line.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const packages = [
  'packages/domain',
  'packages/application',
  'packages/infrastructure',
  'packages/web',
  'apps/server',
];
let passed = 0;
let failed = 0;
let skipped = 0;
for (const dir of packages) {
  const file = join(dir, '.vitest/report.json');
  if (!existsSync(file)) {
    console.error(`missing test report: ${file}`);
    process.exit(1);
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
