import { describe, expect, it } from 'vitest';
import { DECODE_EXPANSION, memoryBudget } from './memory-budget.js';

describe('memory budget', () => {
  it('admits everything without a memory_limiter', () => {
    const r = memoryBudget.reserve(1e12, () => 1e12);
    expect(r).toBeDefined();
    r!.release();
  });

  it('admits a request only while memory in use, reservations and it stay under the lowest soft limit', () => {
    const owner = {};
    const unregister = memoryBudget.register(owner, 1000 * DECODE_EXPANSION);
    const other = memoryBudget.register({}, 2000 * DECODE_EXPANSION);
    try {
      const used = () => 100 * DECODE_EXPANSION;
      const a = memoryBudget.reserve(500, used)!;
      expect(a).toBeDefined();
      expect(memoryBudget.inFlight).toBe(500 * DECODE_EXPANSION);
      // 100 + 500 + 401 > 1000: refused, nothing reserved.
      expect(memoryBudget.reserve(401, used)).toBeUndefined();
      expect(memoryBudget.hasRoom(400, used)).toBe(true);
      // Growing counts against the same limit; a released reservation frees its room.
      expect(a.grow(400)).toBe(true);
      expect(a.grow(1)).toBe(false);
      a.release();
      a.release();
      expect(memoryBudget.inFlight).toBe(0);
      expect(a.grow(1)).toBe(false);
      expect(memoryBudget.reserve(900, used)).toBeDefined();
    } finally {
      unregister();
      other();
    }
    expect(memoryBudget.hasRoom(1e12, () => 1e12)).toBe(true);
  });
});
