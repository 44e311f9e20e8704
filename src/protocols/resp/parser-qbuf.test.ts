import { describe, expect, it } from 'vitest';
import { RespParser } from './parser.js';

const cmd = (...a: string[]) => `*${a.length}\r\n${a.map((x) => `$${x.length}\r\n${x}\r\n`).join('')}`;

describe('the query buffer CLIENT LIST shows while a command runs', () => {
  it('is the running command’s bytes and what follows it (Redis: qbuf=26 for CLIENT LIST)', () => {
    const p = new RespParser();
    p.feed(Buffer.from(cmd('client', 'list') + cmd('ping')));
    expect(p.next()?.map(String)).toEqual(['client', 'list']);
    expect(p.commandQbuf).toBe(26 + 14);
    expect(p.next()?.map(String)).toEqual(['ping']);
    expect(p.commandQbuf).toBe(14);
    expect(p.next()).toBeNull();
    expect(p.buffered).toBe(0);
  });

  it('counts an inline command, and a command that came in several reads as what is left', () => {
    const p = new RespParser();
    p.feed(Buffer.from('PING\r\n'));
    expect(p.next()?.map(String)).toEqual(['PING']);
    expect(p.commandQbuf).toBe(6);
    const whole = cmd('set', 'k', 'v'.repeat(100));
    p.feed(Buffer.from(whole.slice(0, 20)));
    expect(p.next()).toBeNull();
    p.feed(Buffer.from(whole.slice(20)));
    expect(p.next()?.[0].toString()).toBe('set');
    // Its beginning left the buffer with the first read: only the unparsed rest is known.
    expect(p.commandQbuf).toBe(p.buffered);
  });
});
