import { afterEach, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../server/testing.js';
import {
  DENIED,
  DENIED_MESSAGE,
  isLoopback,
  protectedModeRefuses,
  refusedByProtectedMode,
} from './protected-mode.js';

describe('isLoopback', () => {
  it('takes 127.0.0.0/8, ::1 and IPv4-mapped loopback', () => {
    for (const a of [
      '127.0.0.1',
      '127.1.2.3',
      '127.255.255.254',
      '::1',
      '::ffff:127.0.0.1',
      '::FFFF:127.9.9.9',
    ])
      expect(isLoopback(a), a).toBe(true);
  });

  it('refuses everything else, including look-alikes', () => {
    for (const a of [
      '',
      '10.0.0.1',
      '192.0.2.2',
      '0.0.0.0',
      '128.0.0.1',
      '::',
      '::2',
      'fe80::1',
      'fd00::2',
      '::ffff:10.0.0.1',
      '::ffff:128.0.0.1',
      '1127.0.0.1',
    ])
      expect(isLoopback(a), a).toBe(false);
  });
});

describe('protectedModeRefuses', () => {
  it('refuses only a non-loopback client of an open server with protected mode on', () => {
    expect(protectedModeRefuses('192.0.2.2', true, true)).toBe(true);
    expect(protectedModeRefuses('192.0.2.2', false, true)).toBe(false);
    expect(protectedModeRefuses('192.0.2.2', true, false)).toBe(false);
    expect(protectedModeRefuses('127.0.0.1', true, true)).toBe(false);
    expect(protectedModeRefuses('::1', true, true)).toBe(false);
  });
});

describe('refusedByProtectedMode', () => {
  let t: TestServer;
  afterEach(() => t?.close());

  it('follows protected-mode and requirepass as they change', () => {
    t = createTestServer();
    expect(t.server.acl.defaultUserIsOpen()).toBe(true);
    expect(refusedByProtectedMode(t.server, '192.0.2.2')).toBe(true);
    expect(refusedByProtectedMode(t.server, undefined)).toBe(true);
    expect(refusedByProtectedMode(t.server, '127.0.0.1')).toBe(false);
    expect(t.server.config.apply('requirepass', 's3cret')).toBeNull();
    expect(refusedByProtectedMode(t.server, '192.0.2.2')).toBe(false);
    expect(t.server.config.apply('requirepass', '')).toBeNull();
    expect(t.server.config.apply('protected-mode', 'no')).toBeNull();
    expect(refusedByProtectedMode(t.server, '192.0.2.2')).toBe(false);
  });
});

describe('DENIED', () => {
  it("is Redis's error, mapped to 403 and PERMISSION_DENIED", () => {
    expect(DENIED.message).toBe(DENIED_MESSAGE);
    expect(DENIED_MESSAGE.startsWith('DENIED Redis is running in protected mode')).toBe(true);
    expect(DENIED.http).toBe(403);
    expect(DENIED.grpc).toBe(7);
  });
});
