/**
 * The entries of an in-memory id store in columns: an entry is a slot number; its numbers (an
 * expiry, a last use, a row number: as many as the store asks for) are in typed arrays, and its
 * value is a number there too when it is a decimal integer (a trace's first timestamp, the value
 * the one entry per OTel trace holds).
 *
 * So an entry costs its key (the store's string) and its place in a Map, and no object of its
 * own. The columns grow by doubling up to the number of entries the store expects to hold at most
 * (beyond it, by doubling again); freed slots are reused.
 */
export class EntrySlots {
  private readonly columns: Float64Array<ArrayBuffer>[];
  /** A decimal value as a number, or NaN when the value is in `texts`. */
  private numbers: Float64Array<ArrayBuffer>;
  /** A value that is not a decimal integer, or the records of a parked trace. */
  private readonly texts: (string | string[] | undefined)[] = [];
  private readonly free: number[] = [];
  private used = 0;

  /** Slots with `columns` numbers each (column 0 to columns - 1), for about `most` entries. */
  constructor(
    columns: number,
    private readonly most: number,
  ) {
    const size = Math.max(1, Math.min(INITIAL, most));
    this.numbers = new Float64Array(size);
    this.columns = Array.from({ length: columns }, () => new Float64Array(size));
  }

  /** A slot for a new entry. */
  take(): number {
    const slot = this.free.pop();
    if (slot !== undefined) return slot;
    if (this.used === this.numbers.length) this.grow();
    return this.used++;
  }

  /** Gives a slot back; its value is dropped at once. */
  release(slot: number): void {
    this.texts[slot] = undefined;
    this.free.push(slot);
  }

  get(column: number, slot: number): number {
    return this.columns[column]![slot]!;
  }

  set(column: number, slot: number, n: number): void {
    this.columns[column]![slot] = n;
  }

  value(slot: number): string {
    const text = this.texts[slot];
    if (typeof text === 'string') return text;
    return Number.isNaN(this.numbers[slot]) ? '' : String(this.numbers[slot]);
  }

  setValue(slot: number, value: string): void {
    if (isDecimal(value)) {
      this.numbers[slot] = Number(value);
      this.texts[slot] = undefined;
    } else {
      this.numbers[slot] = Number.NaN;
      this.texts[slot] = value;
    }
  }

  records(slot: number): string[] | undefined {
    const text = this.texts[slot];
    return Array.isArray(text) ? text : undefined;
  }

  setRecords(slot: number, records: string[]): void {
    this.numbers[slot] = Number.NaN;
    this.texts[slot] = records;
  }

  private grow(): void {
    const n = this.numbers.length;
    const size = n < this.most ? Math.min(n * 2, this.most) : n * 2;
    this.numbers = grown(this.numbers, size);
    for (let c = 0; c < this.columns.length; c++) this.columns[c] = grown(this.columns[c]!, size);
  }
}

const INITIAL = 1024;

function grown(column: Float64Array<ArrayBuffer>, size: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(size);
  next.set(column);
  return next;
}

/**
 * A decimal integer that a number gives back as the same text: digits only, no leading zero,
 * at most 15 of them (every such integer is exact in a double).
 */
export function isDecimal(text: string): boolean {
  const n = text.length;
  if (n === 0 || n > 15 || (n > 1 && text.charCodeAt(0) === 48)) return false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
