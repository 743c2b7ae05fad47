/**
 * A protobuf writer that fills its buffer from the end towards the start. Writing a message's
 * content first and its length afterwards means lengths are known when they are written: one
 * pass over the data, no size pre-pass and no per-field bookkeeping objects (protobufjs's writer
 * allocates one per field and was most of the cost of encoding a request).
 *
 * Callers write fields in descending field-number order; the bytes come out ascending.
 */

/** Node's internal Buffer writers: present on every Buffer, missing from @types/node. */
type FastBuffer = Buffer & { utf8Write(s: string, offset: number, length: number): number };

function allocate(size: number): FastBuffer {
  // Slow = not from the shared 8 KiB pool, so byteOffset is 0 and the memory is ours alone.
  return Buffer.allocUnsafeSlow(size) as FastBuffer;
}

/** Writes protobuf fields backwards into a growable buffer; see the module comment. */
export class ReverseWriter {
  private buf: FastBuffer;
  private view: DataView;
  /** Everything from `pos` to the end of `buf` is written output. */
  private pos: number;

  constructor(private readonly initialSize: number) {
    this.buf = allocate(initialSize);
    this.view = new DataView(this.buf.buffer);
    this.pos = initialSize;
  }

  /**
   * Bytes written so far. Marks are taken with this, not with a position: growing the buffer
   * moves the output, but never changes how much of it there is.
   */
  get length(): number {
    return this.buf.length - this.pos;
  }

  /** Starts a new output, dropping a buffer that grew past `maxRetained` bytes. */
  reset(maxRetained: number): void {
    if (this.buf.length > maxRetained) {
      this.buf = allocate(this.initialSize);
      this.view = new DataView(this.buf.buffer);
    }
    this.pos = this.buf.length;
  }

  /** A copy of everything written, so the scratch buffer can be reused. */
  finish(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.buf.length - this.pos);
    this.buf.copy(out, 0, this.pos);
    return out;
  }

  private room(n: number): void {
    if (this.pos >= n) return;
    const used = this.buf.length - this.pos;
    let size = this.buf.length * 2;
    while (size - used < n) size *= 2;
    const next = allocate(size);
    this.buf.copy(next, size - used, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer);
    this.pos = size - used;
  }

  /** A varint of an unsigned 32-bit value (tags, lengths, counts, enums). */
  uint32(v: number): void {
    const n = v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x20_0000 ? 3 : v < 0x1000_0000 ? 4 : 5;
    this.room(n);
    this.pos -= n;
    let p = this.pos;
    const buf = this.buf;
    while (v > 0x7f) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[p] = v;
  }

  /** A varint of a 64-bit value given as its unsigned 32-bit halves (negative ints: 10 bytes). */
  uint64(lo: number, hi: number): void {
    if (hi === 0) {
      this.uint32(lo);
      return;
    }
    const n = Math.ceil((64 - Math.clz32(hi)) / 7);
    this.room(n);
    this.pos -= n;
    let p = this.pos;
    const buf = this.buf;
    while (hi !== 0 || lo > 0x7f) {
      buf[p++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[p] = lo;
  }

  /** The length of what was written since `mark` (a `length`), then `tag`: closes a field. */
  close(mark: number, tag: number): void {
    this.uint32(this.buf.length - this.pos - mark);
    this.uint32(tag);
  }

  fixed32(v: number): void {
    this.room(4);
    this.pos -= 4;
    this.view.setUint32(this.pos, v, true);
  }

  /** fixed64; the caller has checked that `v` fits in 64 unsigned bits. */
  fixed64(v: bigint): void {
    this.room(8);
    this.pos -= 8;
    this.view.setBigUint64(this.pos, v, true);
  }

  double(v: number): void {
    this.room(8);
    this.pos -= 8;
    this.view.setFloat64(this.pos, v, true);
  }

  bool(v: boolean): void {
    this.room(1);
    this.buf[--this.pos] = v ? 1 : 0;
  }

  /** A string's UTF-8 bytes, without the length (see `close`). */
  string(s: string): void {
    const len = s.length;
    if (len < 64) {
      // Most keys, names and short values are ASCII: copy them in one pass, checking as we go,
      // instead of measuring the UTF-8 length first (this halves the cost of a typical span).
      this.room(len);
      const start = this.pos - len;
      const buf = this.buf;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + i] = c;
      }
      if (i === len) {
        this.pos = start;
        return;
      }
    }
    // Node writes a lone surrogate as U+FFFD (3 bytes), which byteLength counts the same way.
    const n = Buffer.byteLength(s, 'utf8');
    this.room(n);
    this.pos -= n;
    this.buf.utf8Write(s, this.pos, n);
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.pos -= b.length;
    this.buf.set(b, this.pos);
  }

  /**
   * The bytes of a hex id of `size` bytes (the caller has checked `hex.length === 2 * size`).
   * Returns false, having written nothing, if `hex` has a non-hex character.
   */
  hex(hex: string, size: number): boolean {
    this.room(size);
    const start = this.pos - size;
    const buf = this.buf;
    // A JS loop: for 8 or 16 bytes it is several times cheaper than Buffer's native hexWrite.
    for (let i = 0; i < size; i++) {
      const high = hexDigit(hex.charCodeAt(2 * i));
      const low = hexDigit(hex.charCodeAt(2 * i + 1));
      if ((high | low) < 0) return false;
      buf[start + i] = (high << 4) | low;
    }
    this.pos = start;
    return true;
  }
}

const HEX_DIGITS = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_DIGITS[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_DIGITS[97 + i] = 10 + i;
  HEX_DIGITS[65 + i] = 10 + i;
}

/** The value of a hex digit's char code, -1 if it is not one. */
function hexDigit(c: number): number {
  return c < 128 ? HEX_DIGITS[c]! : -1;
}
