import { describe, expect, it } from 'vitest';
import { BufferFigures } from './buffer-figures.js';

/** Parser figures as RespParser reports them. */
const input = (buffered: number, bigArgRemaining = 0) => ({ buffered, bigArgRemaining });

describe('BufferFigures: the query and reply buffers Redis would hold', () => {
  it('query buffer: 16 KB for a small read, freed after more than 2 s idle', () => {
    const settings = { peakResetMs: 5000, resizing: true };
    const f = new BufferFigures(0, settings);
    f.read(1000, 0, input(0), 30);
    expect(f.stats(1000, 1000, 0, 0, 0).qbufFree).toBe(16384);
    // Idle 2 s (Redis: idletime > 2 seconds) keeps it; 3 s frees it.
    expect(f.stats(3000, 1000, 0, 0, 0).qbufFree).toBe(16384);
    expect(f.stats(4000, 1000, 0, 0, 0).qbufFree).toBe(0);
  });

  it('query buffer: sized to a big argument, then trimmed to the recent peak', () => {
    const f = new BufferFigures(0, { peakResetMs: 5000, resizing: true });
    f.read(1000, 0, input(0), 64 * 1024);
    f.read(1001, 1000, input(64 * 1024, 400_002 - 64 * 1024 + 40), 300 * 1024);
    const big = f.stats(1002, 1001, 0, 0, 0).qbufFree;
    expect(big).toBeGreaterThan(400_000);
    // Small commands: after two cron ticks (the first still sees the big peak) it is trimmed.
    f.read(1150, 1001, input(0), 130);
    f.read(1300, 1150, input(0), 130);
    const trimmed = f.stats(1310, 1300, 0, 0, 0).qbufFree;
    expect(trimmed).toBeGreaterThan(0);
    expect(trimmed).toBeLessThan(big);
  });

  it('reply buffer: shrinks toward the peak when idle, doubles when the peak fills it', () => {
    const settings = { peakResetMs: 100, resizing: true };
    const f = new BufferFigures(0, settings);
    expect(f.stats(0, 0, 0, 0, 0).rbs).toBe(16384);
    f.wrote(10, 5);
    expect(f.stats(500, 10, 0, 0, 0).rbs).toBe(1024);
    settings.peakResetMs = -1;
    let t = 500;
    for (let i = 0; i < 6; i++) {
      f.wrote(t, 40_000);
      t += 100;
      f.stats(t, t, 0, 0, 0);
    }
    const s = f.stats(t, t, 0, 0, 0);
    expect(s.rbs).toBe(16384);
    expect(s.rbp).toBe(16384);
    // Resizing off: nothing moves.
    settings.resizing = false;
    settings.peakResetMs = 100;
    expect(f.stats(t + 5000, t, 0, 0, 0).rbs).toBe(16384);
  });
});
