import { describe, expect, it } from 'vitest';
import { ConfigStore } from '../store.js';
import {
  INVALID_NOTIFY_CLASS,
  NOTIFY_ALL,
  NOTIFY_EXPIRED,
  NOTIFY_GENERIC,
  NOTIFY_KEY_MISS,
  NOTIFY_KEYEVENT,
  NOTIFY_KEYSPACE,
  NOTIFY_MODULE,
  NOTIFY_NEW,
  NOTIFY_STRING,
  normaliseNotifyFlags,
  parseNotifyFlags,
  renderNotifyFlags,
} from './notify.js';

describe('notify-keyspace-events flags', () => {
  it('parses each class letter into its bit, and A into every class but m and n', () => {
    expect(parseNotifyFlags('')).toBe(0);
    expect(parseNotifyFlags('K')).toBe(NOTIFY_KEYSPACE);
    expect(parseNotifyFlags('E')).toBe(NOTIFY_KEYEVENT);
    expect(parseNotifyFlags('g$')).toBe(NOTIFY_GENERIC | NOTIFY_STRING);
    expect(parseNotifyFlags('Kx')).toBe(NOTIFY_KEYSPACE | NOTIFY_EXPIRED);
    expect(parseNotifyFlags('A')).toBe(NOTIFY_ALL);
    expect(parseNotifyFlags('A')! & (NOTIFY_KEY_MISS | NOTIFY_NEW)).toBe(0);
    expect(parseNotifyFlags('A')! & NOTIFY_MODULE).toBe(NOTIFY_MODULE);
    expect(parseNotifyFlags('AAK')).toBe(NOTIFY_ALL | NOTIFY_KEYSPACE);
  });

  it('refuses any other character, spaces and lower-case a included', () => {
    for (const bad of ['a', 'k', ' K', 'K E', 'Kq', 'K\n', 'KÉ']) expect(parseNotifyFlags(bad)).toBeNull();
    expect(parseNotifyFlags('KE')).not.toBeNull();
  });

  it("renders in Redis's canonical order (values seen on redis-server 7.0.15)", () => {
    const cases: Array<[string, string]> = [
      ['KEA', 'AKE'],
      ['A', 'A'],
      ['Kd', 'dK'],
      ['KEn', 'nKE'],
      ['$K', '$K'],
      ['g$lshzxet', 'g$lshzxet'],
      ['g$lshzxetd', 'A'],
      ['xeK', 'xeK'],
      ['mK', 'Km'],
      ['nd$', '$dn'],
      ['KEAm', 'AKEm'],
      ['', ''],
    ];
    for (const [set, shown] of cases)
      expect([set, renderNotifyFlags(parseNotifyFlags(set)!)]).toEqual([set, shown]);
  });

  it('keeps n on with A even though the canonical form does not show it, as Redis does', () => {
    expect(normaliseNotifyFlags('AKEn')).toEqual({
      value: 'AKE',
      number: NOTIFY_ALL | NOTIFY_NEW | NOTIFY_KEYSPACE | NOTIFY_KEYEVENT,
    });
    const config = new ConfigStore();
    expect(config.apply('notify-keyspace-events', 'KEAn')).toBeNull();
    expect(config.get('notify-keyspace-events')).toBe('AKE');
    expect(config.int('notify-keyspace-events') & NOTIFY_NEW).toBe(NOTIFY_NEW);
  });

  it("answers Redis's error for a bad letter and leaves the value as it was", () => {
    const config = new ConfigStore({ 'notify-keyspace-events': 'Ex' });
    expect(config.get('notify-keyspace-events')).toBe('xE');
    expect(config.apply('notify-keyspace-events', 'Kz?')).toBe(INVALID_NOTIFY_CLASS);
    expect(INVALID_NOTIFY_CLASS).toBe("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
    expect(config.get('notify-keyspace-events')).toBe('xE');
    expect(config.int('notify-keyspace-events')).toBe(NOTIFY_KEYEVENT | NOTIFY_EXPIRED);
  });
});
