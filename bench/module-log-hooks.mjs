// The loader hook of bench/module-log.mjs: appends each ES module's URL to the log file.
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let file;
export function initialize(data) {
  file = data.file;
}
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(file, `${fileURLToPath(url)}\n`);
  return next(url, context);
}
