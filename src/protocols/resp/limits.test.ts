import { describe, expect, it } from 'vitest';
import { ConfigStore } from '../../config/store.js';
import { followLimits, parseOutputLimits, readLimits } from './limits.js';

describe('parseOutputLimits', () => {
  it('reads the normal class, with Redis memory units', () => {
    expect(parseOutputLimits('normal 0 0 0')).toEqual({ hardBytes: 0, softBytes: 0, softMs: 0 });
    expect(parseOutputLimits('normal 1mb 512kb 5')).toEqual({
      hardBytes: 1024 * 1024,
      softBytes: 512 * 1024,
      softMs: 5000,
    });
    expect(parseOutputLimits('replica 256mb 64mb 60 normal 1g 1k 1 pubsub 32mb 8mb 60')).toEqual({
      hardBytes: 1e9,
      softBytes: 1000,
      softMs: 1000,
    });
  });

  it('refuses malformed values', () => {
    for (const bad of ['normal', 'normal 1mb 1mb', 'normal x 0 0', 'normal 0 0 -1', 'normal -1 0 0']) {
      expect(parseOutputLimits(bad)).toBeNull();
    }
  });
});

describe('readLimits / followLimits', () => {
  it('reads the bounds and follows CONFIG SET', () => {
    const config = new ConfigStore({ 'proto-max-bulk-len': '2mb', timeout: '30' });
    const limits = readLimits(config);
    expect(limits.parser.maxBulkLen).toBe(2 * 1024 * 1024);
    expect(limits.parser.maxMultibulkLen).toBe(1024 * 1024);
    expect(limits.idleMs).toBe(30_000);
    expect(limits.keepAliveMs).toBe(300_000);
    const stop = followLimits(config, limits);
    expect(config.apply('client-output-buffer-limit', 'normal 10mb 5mb 60')).toBeNull();
    expect(config.apply('proto-inline-max-size', '2048')).toBeNull();
    expect(limits.output).toEqual({
      hardBytes: 10 * 1024 * 1024,
      softBytes: 5 * 1024 * 1024,
      softMs: 60_000,
    });
    expect(limits.parser.maxInlineSize).toBe(2048);
    stop();
    config.apply('timeout', '0');
    expect(limits.idleMs).toBe(30_000);
  });
});
