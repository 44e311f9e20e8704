/**
 * Redis's PRNG for math.random (rand.c: the rand48 linear congruential generator,
 * x' = 0x5DEECE66D * x + 0xB mod 2^48, starting from rand48's default state 0x1234ABCD330E).
 * One sequence per server,
 * shared by EVAL scripts and functions and kept across SCRIPT FLUSH, as Redis keeps it.
 * 48-bit products are exact in doubles when split into 24-bit halves.
 */
const TWO_24 = 0x1000000;
const TWO_48 = TWO_24 * TWO_24;
const A_HI = 0x5de;
const A_LO = 0xece66d;
const C = 0xb;

export class Rand48 {
  private x = 0x1234abcd330e;

  /** srand48: the seed's low 32 bits above 0x330E. */
  seed(seed: number): void {
    this.x = (seed >>> 0) * 0x10000 + 0x330e;
  }

  /** lrand48: the next 31-bit value. */
  next(): number {
    const xh = Math.floor(this.x / TWO_24);
    const xl = this.x - xh * TWO_24;
    const low = xl * A_LO;
    const mid = (xl * A_HI + xh * A_LO) % TWO_24;
    this.x = (low + mid * TWO_24 + C) % TWO_48;
    return Math.floor(this.x / 0x20000);
  }
}
