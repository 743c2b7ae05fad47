// Reads vitest's JSON report and prints "N passed, N failed". A test file that fails to load
// counts as one failure; so does a failing step before vitest (typecheck, lint, build).
import { existsSync, readFileSync } from 'node:fs';

const [reportPath, status] = process.argv.slice(2);
let passed = 0;
let failed = 0;
if (reportPath && existsSync(reportPath) && readFileSync(reportPath, 'utf8').trim() !== '') {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = report.numFailedTests ?? 0;
  const brokenFiles = (report.testResults ?? []).filter(
    (file) => file.status === 'failed' && (file.assertionResults ?? []).length === 0,
  ).length;
  failed += brokenFiles;
}
if (status !== '0' && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
