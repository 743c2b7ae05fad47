import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCodes } from './codes.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = [...doc.matchAll(/^\| `(ERR_[A-Z_]+)` +\|/gm)].map((m) => m[1]);

describe('error codes', () => {
  it('are each documented in docs/errors.md', () => {
    expect(Object.keys(errorCodes).filter((code) => !documented.includes(code))).toEqual([]);
  });

  it('are all still used by the code when documented', () => {
    expect(documented.filter((code) => !(code! in errorCodes))).toEqual([]);
  });
});
