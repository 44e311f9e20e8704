import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigStore } from '../config/store.js';
import { doorTls, protocolRange, requireTls, TlsConfigError, tlsSettings } from './tls.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cairn-tls-unit-'));
  dirs.push(d);
  return d;
}

describe('protocolRange', () => {
  it("maps Redis's protocol words to Node's version range", () => {
    expect(protocolRange('')).toBeNull();
    expect(protocolRange('TLSv1.2 TLSv1.3')).toEqual({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
    expect(protocolRange('tlsv1.3')).toEqual({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
    expect(protocolRange(' TLSv1.3  TLSv1.1 ')).toEqual({ minVersion: 'TLSv1.1', maxVersion: 'TLSv1.3' });
  });

  it('refuses unknown words with the option name', () => {
    expect(() => protocolRange('TLSv1.2 SSLv3')).toThrow(/tls-protocols: unknown protocol 'SSLv3'/);
  });
});

describe('tlsSettings', () => {
  const dir = tempDir();
  const garbage = join(dir, 'garbage.pem');
  writeFileSync(garbage, 'not a certificate\n');
  const missing = join(dir, 'missing.pem');

  it('is null without a certificate, and TLS doors stay plain', () => {
    const config = new ConfigStore();
    expect(tlsSettings(config)).toBeNull();
    expect(doorTls(config, 'http')).toBeNull();
    expect(() => requireTls(config, 'tls-port')).toThrow('tls-port needs tls-cert-file and tls-key-file');
  });

  it('names the option and the file it cannot use', () => {
    const err = (values: Record<string, string>) => {
      try {
        tlsSettings(new ConfigStore(values));
      } catch (e) {
        expect(e).toBeInstanceOf(TlsConfigError);
        return (e as Error).message;
      }
      throw new Error('expected a TlsConfigError');
    };
    expect(err({ 'tls-cert-file': garbage })).toBe('tls-cert-file and tls-key-file must be set together');
    expect(err({ 'tls-cert-file': missing, 'tls-key-file': garbage })).toMatch(
      new RegExp(`^tls-cert-file ${missing}: cannot read: .*ENOENT`),
    );
    expect(err({ 'tls-cert-file': garbage, 'tls-key-file': garbage })).toMatch(
      new RegExp(`^tls-cert-file ${garbage}: not a PEM certificate`),
    );
  });
});
