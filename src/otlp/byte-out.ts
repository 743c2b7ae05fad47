/**
 * A growable byte buffer written front to back: protobuf fields whose lengths are known before
 * their content, and JSON text, for code that builds requests out of pieces of other requests
 * (`pdata/wire-traces.ts`, the `opik` exporter's wire mapping). `proto-writer.ts` writes pdata
 * back to front instead, where lengths are known only after the content.
 */

import { copyBytes } from './copy-bytes.js';

const HEX = Buffer.from('0123456789abcdef', 'latin1');

export class ByteOut {
  buf: Buffer;
  pos = 0;

  constructor(size = 4096) {
    this.buf = Buffer.allocUnsafeSlow(size);
  }

  /** Makes room for `n` more bytes. */
  room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  /** An unsigned 32-bit value as a varint (tags, lengths). */
  varint(v: number): void {
    this.room(5);
    const buf = this.buf;
    let p = this.pos;
    while (v > 0x7f) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[p++] = v;
    this.pos = p;
  }

  /** A 64-bit value given as unsigned 32-bit halves, as a varint (negative ints: 10 bytes). */
  varint64(lo: number, hi: number): void {
    if (hi === 0) {
      this.varint(lo);
      return;
    }
    this.room(10);
    const buf = this.buf;
    let p = this.pos;
    while (hi !== 0 || lo > 0x7f) {
      buf[p++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[p++] = lo;
    this.pos = p;
  }

  /** `src[from, to)`, copied. */
  copy(src: Uint8Array, from: number, to: number): void {
    this.room(to - from);
    this.pos = copyBytes(src, from, to, this.buf, this.pos);
  }

  /** All of `src`, copied. */
  bytes(src: Uint8Array): void {
    this.copy(src, 0, src.length);
  }

  /** ASCII text (number literals, JSON punctuation), without an encoder. */
  ascii(text: string): void {
    const n = text.length;
    this.room(n);
    const buf = this.buf;
    const at = this.pos;
    for (let i = 0; i < n; i++) buf[at + i] = text.charCodeAt(i);
    this.pos = at + n;
  }

  /** A non-negative integer below 2^53 in decimal. */
  decimal(v: number): void {
    if (v < 10) {
      this.byte(0x30 + v);
      return;
    }
    this.ascii(String(v));
  }

  /** A string's UTF-8 bytes. */
  utf8(text: string): void {
    this.room(text.length * 3);
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }

  /**
   * `src[from, to)`, valid UTF-8, as the inside of a JSON string, escaped exactly as
   * `JSON.stringify` escapes (valid UTF-8 has no lone surrogates, so the rest passes as it is).
   */
  jsonText(src: Uint8Array, from: number, to: number): void {
    this.room((to - from) * 6);
    const buf = this.buf;
    let p = this.pos;
    for (let i = from; i < to; i++) {
      const c = src[i]!;
      if (c >= 0x20 && c !== 0x22 && c !== 0x5c) {
        buf[p++] = c;
        continue;
      }
      buf[p++] = 0x5c;
      switch (c) {
        case 0x22:
          buf[p++] = 0x22;
          break;
        case 0x5c:
          buf[p++] = 0x5c;
          break;
        case 0x08:
          buf[p++] = 0x62;
          break;
        case 0x0c:
          buf[p++] = 0x66;
          break;
        case 0x0a:
          buf[p++] = 0x6e;
          break;
        case 0x0d:
          buf[p++] = 0x72;
          break;
        case 0x09:
          buf[p++] = 0x74;
          break;
        default:
          buf[p++] = 0x75;
          buf[p++] = 0x30;
          buf[p++] = 0x30;
          buf[p++] = HEX[c >>> 4]!;
          buf[p++] = HEX[c & 15]!;
      }
    }
    this.pos = p;
  }
}
