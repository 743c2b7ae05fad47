import { describe, expect, it } from 'vitest';
import { Places } from './places.js';

describe('Places', () => {
  it('lets `size` in, and hands a leaving place to the first waiter before any newcomer', async () => {
    const places = new Places(2);
    const order: string[] = [];
    await places.take();
    await places.take();
    const third = places.take().then(() => order.push('third'));
    places.leave();
    const newcomer = places.take().then(() => order.push('newcomer'));
    await third;
    expect(order).toEqual(['third']);
    places.leave();
    await newcomer;
    expect(order).toEqual(['third', 'newcomer']);
  });
});
