import { describe, expect, it } from 'vitest';
import { EntrySlots, isDecimal } from './entry-slots.js';

describe('EntrySlots', () => {
  it('gives each value back as it was set, decimal or not', () => {
    const slots = new EntrySlots(1, 10);
    const values = [
      '0',
      '7',
      '1733500000000',
      '999999999999999',
      '1000000000000000',
      '007',
      '-1',
      '1e3',
      '1.5',
      ' 12',
      '',
      '0192f3a0-5b1c-7cde-8f00-0123456789ab',
    ];
    const taken = values.map((v) => {
      const slot = slots.take();
      slots.setValue(slot, v);
      return slot;
    });
    expect(taken.map((slot) => slots.value(slot))).toEqual(values);
    expect(taken.map((slot) => slots.records(slot))).toEqual(values.map(() => undefined));
  });

  it('keeps each column and value per slot while it grows past the expected number and beyond', () => {
    const slots = new EntrySlots(2, 1500);
    const taken: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const slot = slots.take();
      slots.set(0, slot, i * 2);
      slots.set(1, slot, -i);
      slots.setValue(slot, i % 2 === 0 ? String(i) : `v${i}`);
      taken.push(slot);
    }
    expect(new Set(taken).size).toBe(5000);
    taken.forEach((slot, i) => {
      expect(slots.get(0, slot)).toBe(i * 2);
      expect(slots.get(1, slot)).toBe(-i);
      expect(slots.value(slot)).toBe(i % 2 === 0 ? String(i) : `v${i}`);
    });
  });

  it('reuses a released slot, which holds nothing of its last entry', () => {
    const slots = new EntrySlots(1, 4);
    const a = slots.take();
    const b = slots.take();
    slots.setValue(a, 'text');
    slots.setRecords(b, ['r1', 'r2']);
    slots.release(a);
    slots.release(b);
    const again = [slots.take(), slots.take()].sort();
    expect(again).toEqual([a, b].sort());
    expect(again.map((s) => slots.value(s))).toEqual(['', '']);
    expect(again.map((s) => slots.records(s))).toEqual([undefined, undefined]);
    expect(slots.take()).toBe(2);
  });

  it('holds the records of a parked trace, and a value set later replaces them', () => {
    const slots = new EntrySlots(1, 4);
    const slot = slots.take();
    slots.setRecords(slot, ['a', 'b']);
    expect(slots.records(slot)).toEqual(['a', 'b']);
    expect(slots.value(slot)).toBe('');
    slots.setValue(slot, '42');
    expect(slots.records(slot)).toBeUndefined();
    expect(slots.value(slot)).toBe('42');
  });
});

describe('isDecimal', () => {
  it('takes exactly the texts a number gives back unchanged', () => {
    for (const text of ['0', '9', '10', '1733500000000', '123456789012345']) {
      expect(isDecimal(text)).toBe(true);
      expect(String(Number(text))).toBe(text);
    }
    for (const text of [
      '',
      '00',
      '01',
      '-1',
      '+1',
      '1.0',
      '1e3',
      ' 1',
      '1 ',
      '١',
      '1234567890123456',
    ]) {
      expect(isDecimal(text)).toBe(false);
    }
  });
});
