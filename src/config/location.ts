/** Where a key was written: a file and line, or the `--set` flag. */
export interface Location {
  readonly file: string;
  readonly line?: number;
}

/** Key paths are joined with `::`, the separator users write in `--set`. */
export function joinPath(path: readonly (string | number)[]): string {
  return path.map(String).join('::');
}

/** Remembers where each key path was written; later sources override earlier ones. */
export class Locations {
  private readonly byPath = new Map<string, Location>();

  set(path: readonly (string | number)[], location: Location): void {
    this.byPath.set(joinPath(path), location);
  }

  /** The location of `path`, or of its nearest written ancestor. */
  find(path: readonly (string | number)[]): Location | undefined {
    for (let n = path.length; n >= 0; n--) {
      const hit = this.byPath.get(joinPath(path.slice(0, n)));
      if (hit) return hit;
    }
    return undefined;
  }
}
