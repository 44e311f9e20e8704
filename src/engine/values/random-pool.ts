/**
 * Uniform random picks from a Map's keys or a Set's members in O(1). JS collections have no
 * random access, so a collection that is sampled (SRANDMEMBER, SPOP, HRANDFIELD) keeps its
 * elements a second time in a dense array, with each element's slot for O(1) removal (swap
 * with the last). Small collections are walked instead: the pool is only worth its memory
 * for large ones.
 */

/** Below this many elements a random pick walks the collection (no pool). */
export const POOL_MIN_ELEMENTS = 64;

export class RandomPool {
  private readonly items: string[] = [];
  private readonly slots = new Map<string, number>();

  constructor(elements: Iterable<string>) {
    for (const e of elements) this.add(e);
  }

  get size(): number {
    return this.items.length;
  }

  add(e: string): void {
    if (this.slots.has(e)) return;
    this.slots.set(e, this.items.length);
    this.items.push(e);
  }

  delete(e: string): void {
    const at = this.slots.get(e);
    if (at === undefined) return;
    const last = this.items.pop() as string;
    this.slots.delete(e);
    if (last !== e) {
      this.items[at] = last;
      this.slots.set(last, at);
    }
  }

  /** A uniformly chosen element (the pool is not empty). */
  pick(): string {
    return this.items[Math.floor(Math.random() * this.items.length)];
  }
}

/** The element at a uniformly random position of `elements` (of `size` > 0 elements). */
export function walkToRandom(elements: Iterable<string>, size: number): string {
  let i = Math.floor(Math.random() * size);
  let last = '';
  for (const e of elements) {
    last = e;
    if (i-- === 0) break;
  }
  return last;
}
