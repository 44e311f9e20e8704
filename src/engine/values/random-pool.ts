/**
 * Random picks from a small collection that has no random access: walk to a random position.
 * (A large hash or set picks one random id of its BigTable in O(1): big-table.ts.)
 */

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
