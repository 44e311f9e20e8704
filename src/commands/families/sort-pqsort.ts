/**
 * Redis's partial quicksort (pqsort.c), which SORT uses for BY with a LIMIT: Bentley and
 * McIlroy's "Engineering a Sort Function" quicksort that skips the partitions lying wholly
 * outside the wanted range [lo, hi]. The elements inside the range end up where a full sort
 * puts them; elements the comparison calls equal (SORT ... BY ... ALPHA with equal or missing
 * weights) end up in the order this exact sequence of swaps leaves them, so the algorithm is
 * followed step for step, on element indexes instead of byte pointers.
 */

export type Compare<T> = (a: T, b: T) => number;

/** Sort `v` in place so that positions lo..hi hold what a full sort would put there. */
export function pqsort<T>(v: T[], cmp: Compare<T>, lo: number, hi: number): void {
  partialSort(v, 0, v.length, cmp, lo, hi);
}

function swap<T>(v: T[], i: number, j: number): void {
  const t = v[i];
  v[i] = v[j];
  v[j] = t;
}

/** Swap the n elements from i with the n elements from j (the runs never overlap). */
function vecswap<T>(v: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(v, i + k, j + k);
}

function med3<T>(v: T[], a: number, b: number, c: number, cmp: Compare<T>): number {
  return cmp(v[a], v[b]) < 0
    ? cmp(v[b], v[c]) < 0
      ? b
      : cmp(v[a], v[c]) < 0
        ? c
        : a
    : cmp(v[b], v[c]) > 0
      ? b
      : cmp(v[a], v[c]) < 0
        ? a
        : c;
}

/** Does the run of n elements from a miss the wanted range entirely? */
function outside(a: number, n: number, lo: number, hi: number): boolean {
  return (lo < a && hi < a) || (lo >= a + n && hi >= a + n);
}

function partialSort<T>(v: T[], a0: number, n0: number, cmp: Compare<T>, lo: number, hi: number): void {
  let a = a0;
  let n = n0;
  for (;;) {
    if (n < 7) {
      for (let pm = a + 1; pm < a + n; pm++)
        for (let pl = pm; pl > a && cmp(v[pl - 1], v[pl]) > 0; pl--) swap(v, pl, pl - 1);
      return;
    }
    let pm = a + Math.floor(n / 2);
    if (n > 7) {
      let pl = a;
      let pn = a + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = med3(v, pl, pl + d, pl + 2 * d, cmp);
        pm = med3(v, pm - d, pm, pm + d, cmp);
        pn = med3(v, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = med3(v, pl, pm, pn, cmp);
    }
    swap(v, a, pm);
    let pa = a + 1;
    let pb = pa;
    let pc = a + n - 1;
    let pd = pc;
    for (;;) {
      for (; pb <= pc; pb++) {
        const r = cmp(v[pb], v[a]);
        if (r > 0) break;
        if (r === 0) swap(v, pa++, pb);
      }
      for (; pb <= pc; pc--) {
        const r = cmp(v[pc], v[a]);
        if (r < 0) break;
        if (r === 0) swap(v, pc, pd--);
      }
      if (pb > pc) break;
      swap(v, pb++, pc--);
    }
    const pn = a + n;
    let r = Math.min(pa - a, pb - pa);
    vecswap(v, a, pb - r, r);
    r = Math.min(pd - pc, pn - pd - 1);
    vecswap(v, pb, pn - r, r);
    r = pb - pa;
    if (r > 1 && !outside(a, r, lo, hi)) partialSort(v, a, r, cmp, lo, hi);
    r = pd - pc;
    if (r <= 1) return;
    a = pn - r;
    n = r;
    if (outside(a, n, lo, hi)) return;
  }
}
