/**
 * Reading fields out of protobuf bytes the scan already checked (`proto-scan.ts`), or that the
 * collector wrote itself: no checks beyond what reading needs, no allocation. Used by the code
 * that works on batches in their wire form (`pdata/wire-traces.ts`).
 */

/** Walks the fields of one message; after `next()`, `tag` and `[start, end)` describe the field. */
export class FieldCursor {
  buf: Uint8Array = EMPTY;
  pos = 0;
  limit = 0;
  /** The field's tag (`field << 3 | wire type`). */
  tag = 0;
  /** Where the whole field (from its tag) begins. */
  fieldStart = 0;
  /** The field's content: a length-delimited field's bytes, a fixed field's bytes, a varint's bytes. */
  start = 0;
  end = 0;

  /** Positions the cursor on the message `buf[start, end)`. */
  reset(buf: Uint8Array, start: number, end: number): this {
    this.buf = buf;
    this.pos = start;
    this.limit = end;
    return this;
  }

  /** Reads the next field; false at the end of the message. */
  next(): boolean {
    if (this.pos >= this.limit) return false;
    const buf = this.buf;
    this.fieldStart = this.pos;
    let tag = buf[this.pos++]!;
    if (tag >= 0x80) tag = this.varintRest(tag);
    this.tag = tag;
    switch (tag & 7) {
      case 0: {
        this.start = this.pos;
        while (buf[this.pos++]! >= 0x80);
        this.end = this.pos;
        return true;
      }
      case 1:
        this.start = this.pos;
        this.pos += 8;
        break;
      case 5:
        this.start = this.pos;
        this.pos += 4;
        break;
      default: {
        let len = buf[this.pos++]!;
        if (len >= 0x80) len = this.varintRest(len);
        this.start = this.pos;
        this.pos += len;
      }
    }
    this.end = this.pos;
    return true;
  }

  /** The varint field's value, low 32 bits (unsigned). */
  get varint(): number {
    const buf = this.buf;
    let v = 0;
    for (let p = this.start, shift = 0; p < this.end && shift < 35; p++, shift += 7) {
      v |= (buf[p]! & 0x7f) << shift;
    }
    return v >>> 0;
  }

  private varintRest(first: number): number {
    const buf = this.buf;
    let v = first & 0x7f;
    for (let shift = 7; ; shift += 7) {
      const b = buf[this.pos++]!;
      if (shift < 32) v |= (b & 0x7f) << shift;
      if (b < 0x80) return v >>> 0;
    }
  }
}

const EMPTY = new Uint8Array(0);

/** True when `buf[start, end)` holds exactly the bytes of `text` (ASCII). */
export function bytesEqual(buf: Uint8Array, start: number, end: number, text: Uint8Array): boolean {
  if (end - start !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (buf[start + i] !== text[i]) return false;
  return true;
}

/** Bytes of an ASCII key, for `bytesEqual`. */
export const ascii = (text: string): Uint8Array => Buffer.from(text, 'latin1');

/**
 * A time in nanoseconds (fixed64 at `buf[at]`) as whole milliseconds, exactly as
 * `Number(ns / 1_000_000n)`: 2^32 ns is 4294 ms and 967296 ns, and each part stays exact.
 */
export function fixed64Ms(buf: Uint8Array, at: number): number {
  const lo = (buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0;
  const hi =
    (buf[at + 4]! | (buf[at + 5]! << 8) | (buf[at + 6]! << 16) | (buf[at + 7]! << 24)) >>> 0;
  return hi * 4294 + Math.floor((hi * 967296 + lo) / 1e6);
}
