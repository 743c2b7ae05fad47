import { FrontCursor } from '../../storage/front-cursor.js';

/** A bounded set of recently seen ids (least recently added forgotten first). */
export class RecentIds {
  private readonly ids = new Set<string>();
  private readonly oldest = new FrontCursor(() => this.ids.values());
  constructor(private readonly max: number) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  delete(id: string): void {
    this.ids.delete(id);
  }

  add(id: string): void {
    this.ids.delete(id);
    this.ids.add(id);
    while (this.ids.size > this.max) {
      const oldest = this.oldest.next();
      if (oldest === undefined) break;
      this.ids.delete(oldest);
    }
  }
}
