import { describe, expect, it } from 'vitest';
import { FrontCursor } from './front-cursor.js';

describe('FrontCursor', () => {
  it('gives the entries of a map in use order, each once, and moved ones again in their new turn', () => {
    const map = new Map([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    const front = new FrontCursor(() => map.keys());
    expect(front.next()).toBe('a');
    map.delete('a');
    map.delete('b');
    map.set('b', 2); // used again: now last
    map.set('d', 4);
    expect(front.next()).toBe('c');
    expect(front.next()).toBe('b');
    expect(front.next()).toBe('d');
  });

  it('starts again once it walked to the end, and after restart()', () => {
    const set = new Set<string>(['x']);
    const front = new FrontCursor(() => set.values());
    expect(front.next()).toBe('x');
    set.delete('x');
    expect(front.next()).toBeUndefined();
    set.add('y');
    expect(front.next()).toBe('y');
    front.restart();
    expect(front.next()).toBe('y');
  });
});
