/** A seeded PRNG (mulberry32): the same seed gives the same cases, so a failure can be replayed. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }

  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }

  /** `bytes` with `count` random bytes overwritten. */
  mutate(bytes: Uint8Array, count: number): Buffer {
    const out = Buffer.from(bytes);
    for (let i = 0; i < count && out.length > 0; i++) out[this.int(out.length)] = this.int(256);
    return out;
  }
}

/** A protobuf varint. */
export function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

/** A length-delimited protobuf field. */
export function field(fieldNumber: number, content: Uint8Array): Buffer {
  return Buffer.concat([varint((fieldNumber << 3) | 2), varint(content.length), content]);
}
