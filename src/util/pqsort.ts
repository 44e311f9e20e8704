/**
 * Redis's pqsort (pqsort.c): Bentley & McIlroy's quicksort that only recurses into the parts
 * overlapping the wanted index range [lrange, rrange], so the first few elements come out
 * sorted without sorting the rest. It is not stable; GEO commands with COUNT use it, so
 * elements that compare equal come out in the order this exact algorithm leaves them, which
 * is what reproducing Redis's replies needs (GEO with COUNT, SORT with BY and LIMIT).
 */

export type Compare<T> = (a: T, b: T) => number;

function swap<T>(arr: T[], i: number, j: number): void {
  const t = arr[i];
  arr[i] = arr[j];
  arr[j] = t;
}

/** Swap the n elements starting at i with the n starting at j. */
function vecswap<T>(arr: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(arr, i + k, j + k);
}

function med3<T>(arr: T[], a: number, b: number, c: number, cmp: Compare<T>): number {
  return cmp(arr[a], arr[b]) < 0
    ? cmp(arr[b], arr[c]) < 0
      ? b
      : cmp(arr[a], arr[c]) < 0
        ? c
        : a
    : cmp(arr[b], arr[c]) > 0
      ? b
      : cmp(arr[a], arr[c]) < 0
        ? a
        : c;
}

/** Whether the region [lo, hi] holds any index of [l, r] (the C code's pointer test). */
function overlaps(lo: number, hi: number, l: number, r: number): boolean {
  return !((l < lo && r < lo) || (l > hi && r > hi));
}

function partialSort<T>(arr: T[], a: number, n: number, cmp: Compare<T>, l: number, r: number): void {
  for (;;) {
    if (n < 7) {
      for (let pm = a + 1; pm < a + n; pm++)
        for (let pl = pm; pl > a && cmp(arr[pl - 1], arr[pl]) > 0; pl--) swap(arr, pl, pl - 1);
      return;
    }
    let pm = a + Math.floor(n / 2);
    if (n > 7) {
      let pl = a;
      let pn = a + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = med3(arr, pl, pl + d, pl + 2 * d, cmp);
        pm = med3(arr, pm - d, pm, pm + d, cmp);
        pn = med3(arr, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = med3(arr, pl, pm, pn, cmp);
    }
    swap(arr, a, pm);
    let pa = a + 1;
    let pb = a + 1;
    let pc = a + n - 1;
    let pd = a + n - 1;
    for (;;) {
      while (pb <= pc) {
        const c = cmp(arr[pb], arr[a]);
        if (c > 0) break;
        if (c === 0) swap(arr, pa++, pb);
        pb++;
      }
      while (pb <= pc) {
        const c = cmp(arr[pc], arr[a]);
        if (c < 0) break;
        if (c === 0) swap(arr, pc, pd--);
        pc--;
      }
      if (pb > pc) break;
      swap(arr, pb++, pc--);
    }
    const pn = a + n;
    let s = Math.min(pa - a, pb - pa);
    vecswap(arr, a, pb - s, s);
    s = Math.min(pd - pc, pn - pd - 1);
    vecswap(arr, pb, pn - s, s);
    s = pb - pa;
    if (s > 1 && overlaps(a, a + s - 1, l, r)) partialSort(arr, a, s, cmp, l, r);
    s = pd - pc;
    if (s > 1) {
      a = pn - s;
      n = s;
      if (overlaps(a, a + s - 1, l, r)) continue;
    }
    return;
  }
}

/** Sort `arr` enough that indexes lrange..rrange hold what a full sort would put there. */
export function pqsort<T>(arr: T[], cmp: Compare<T>, lrange: number, rrange: number): void {
  partialSort(arr, 0, arr.length, cmp, lrange, rrange);
}
