/**
 * Copies bytes between buffers without allocating: `Buffer#copy` and `TypedArray#set` need a
 * view object per call, which for the small pieces the wire code moves (a span, a value) costs
 * more than the copy and leaves garbage behind. Short pieces go byte by byte, pieces up to a few
 * hundred bytes four bytes at a time through `DataView`s kept for the buffers in use, larger
 * ones natively.
 */

const SLOTS = 8;
const buffers: (Uint8Array | undefined)[] = new Array(SLOTS);
const views: (DataView | undefined)[] = new Array(SLOTS);
let next = 0;

/** A `DataView` of `b`, from the few kept for the buffers used last. */
function viewOf(b: Uint8Array): DataView {
  for (let i = 0; i < SLOTS; i++) if (buffers[i] === b) return views[i]!;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  buffers[next] = b;
  views[next] = view;
  next = (next + 1) % SLOTS;
  return view;
}

/** Copies `src[from, to)` to `dst[at]`; returns the position after it in `dst`. */
export function copyBytes(
  src: Uint8Array,
  from: number,
  to: number,
  dst: Uint8Array,
  at: number,
): number {
  const n = to - from;
  if (n <= 32) {
    for (let k = 0; k < n; k++) dst[at + k] = src[from + k]!;
    return at + n;
  }
  if (n > 256) {
    dst.set(new Uint8Array(src.buffer, src.byteOffset + from, n), at);
    return at + n;
  }
  const s = viewOf(src);
  const d = viewOf(dst);
  let k = 0;
  for (; k + 4 <= n; k += 4) d.setUint32(at + k, s.getUint32(from + k, true), true);
  for (; k < n; k++) dst[at + k] = src[from + k]!;
  return at + n;
}
