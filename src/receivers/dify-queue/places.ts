/**
 * At most `size` holders at a time; the others wait in order. A leaving holder hands its place
 * to the next waiter directly, so no newcomer slips in between.
 */
export class Places {
  private held = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {}

  async take(): Promise<void> {
    if (this.held < this.size) this.held++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  leave(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held--;
  }
}
