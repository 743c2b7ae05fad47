/**
 * A protobuf wire-format reader over a Buffer, strict where the format is: field number 0, the
 * group wire types (3, 4, never used by OTLP) and unknown wire types are refused, as are lengths
 * and varints that run past their message. Its errors are `ProtoError`s, which the codec reports
 * as `invalid protobuf: …` (HTTP 400).
 */

export class ProtoError extends Error {
  override readonly name = 'ProtoError';
}

/** Node's internal Buffer readers: present on every Buffer, missing from @types/node. */
type FastBuffer = Buffer & {
  utf8Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
};

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

// Joins the halves of a varint into a bigint without intermediate bigints.
const scratch = new DataView(new ArrayBuffer(8));

export class ProtoReader {
  private readonly buf: FastBuffer;
  pos = 0;
  /** The end of the message being read: no read goes past it. */
  end: number;

  constructor(bytes: Uint8Array) {
    this.buf = (
      Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    ) as FastBuffer;
    this.end = this.buf.length;
  }

  /** True while the current message has fields left. */
  get more(): boolean {
    return this.pos < this.end;
  }

  /**
   * Enters a length-delimited field as a message of its own; returns the enclosing message's
   * end, to hand back to `leave` once the field is read.
   */
  enter(): number {
    const end = this.lengthEnd();
    const outer = this.end;
    this.end = end;
    return outer;
  }

  leave(outer: number): void {
    this.pos = this.end;
    this.end = outer;
  }

  /** The next field's tag (`field << 3 | wire type`), checked. */
  tag(): number {
    const at = this.pos;
    const tag = this.varint32();
    const wire = tag & 7;
    if (tag >>> 3 === 0) throw new ProtoError(`invalid field number 0 at offset ${at}`);
    if (wire !== WIRE_VARINT && wire !== WIRE_I64 && wire !== WIRE_LEN && wire !== WIRE_I32) {
      throw new ProtoError(`invalid wire type ${wire} at offset ${at}`);
    }
    return tag;
  }

  /** A varint's low 32 bits, unsigned (int32 values come out as `| 0`). */
  varint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    let result = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (pos >= this.end) throw this.outOfRange(pos, 1);
      const b = buf[pos++]!;
      if (shift < 32) result |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return result >>> 0;
      }
    }
    throw new ProtoError(`invalid varint at offset ${this.pos}`);
  }

  /** A varint as a signed 64-bit integer (`int64`). */
  varint64(): bigint {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (pos >= this.end) throw this.outOfRange(pos, 1);
      const b = buf[pos++]!;
      const bits = b & 0x7f;
      if (shift < 28) lo |= bits << shift;
      else if (shift === 28) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (shift - 32);
      if (b < 0x80) {
        this.pos = pos;
        scratch.setInt32(0, lo, true);
        scratch.setInt32(4, hi, true);
        return scratch.getBigInt64(0, true);
      }
    }
    throw new ProtoError(`invalid varint at offset ${this.pos}`);
  }

  fixed32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  fixed64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  double(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Reads a length prefix and returns where the field's content ends (content starts at `pos`). */
  lengthEnd(): number {
    const len = this.varint32();
    const end = this.pos + len;
    if (end > this.end) throw this.outOfRange(this.pos, len);
    return end;
  }

  /** A length-delimited string, cut to `max` UTF-16 units when longer (`cut` says so). */
  string(max: number, cut?: () => void): string {
    const end = this.lengthEnd();
    const start = this.pos;
    this.pos = end;
    if (end - start <= max) return this.buf.utf8Slice(start, end);
    // Decode no more than the longest prefix that can hold `max` units, then cut exactly.
    const s = this.buf.utf8Slice(start, Math.min(end, start + 3 * max + 3));
    if (s.length <= max) return s;
    cut?.();
    const code = s.charCodeAt(max - 1);
    return s.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
  }

  /** A length-delimited bytes field as lowercase hex (ids), with its length. */
  hex(): { hex: string; length: number } {
    const end = this.lengthEnd();
    const start = this.pos;
    this.pos = end;
    return { hex: this.buf.hexSlice(start, end), length: end - start };
  }

  /** A length-delimited bytes field, copied out of the request (cut to `max` bytes). */
  bytes(max: number, cut?: () => void): Uint8Array {
    const end = this.lengthEnd();
    const start = this.pos;
    this.pos = end;
    if (end - start > max) cut?.();
    return new Uint8Array(this.buf.subarray(start, Math.min(end, start + max)));
  }

  /** Skips a field of the given tag's wire type. */
  skip(tag: number): void {
    switch (tag & 7) {
      case WIRE_VARINT:
        this.varint32();
        return;
      case WIRE_I64:
        this.need(8);
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.pos = this.lengthEnd();
        return;
      case WIRE_I32:
        this.need(4);
        this.pos += 4;
        return;
    }
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw this.outOfRange(this.pos, n);
  }

  private outOfRange(pos: number, n: number): ProtoError {
    return new ProtoError(`index out of range: ${pos} + ${n} > ${this.end}`);
  }
}
