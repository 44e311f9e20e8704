/**
 * Throwaway certificates for TLS tests, made with the `openssl` CLI in a fresh directory under
 * os.tmpdir(): a CA, a server certificate for 127.0.0.1 and localhost, a client certificate
 * from the same CA, and a client certificate from a second CA the server does not trust.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './tmp.js';

const run = promisify(execFile);

export interface TestCerts {
  dir: string;
  /** File paths. */
  files: { ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string };
  ca: Buffer;
  client: { cert: Buffer; key: Buffer };
  /** Signed by a CA the server does not know. */
  rogue: { cert: Buffer; key: Buffer };
}

const EXTENSIONS = `[server]
subjectAltName = IP:127.0.0.1, DNS:localhost
extendedKeyUsage = serverAuth
[client]
extendedKeyUsage = clientAuth
`;

async function openssl(dir: string, ...args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

async function makeCa(dir: string, name: string, cn: string): Promise<void> {
  await openssl(
    dir,
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${cn}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
  );
}

async function issue(
  dir: string,
  ca: string,
  name: string,
  cn: string,
  ext: 'server' | 'client',
): Promise<void> {
  await openssl(
    dir,
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${cn}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
  );
  await openssl(
    dir,
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    // A serial of its own: -CAcreateserial would race on the CA's serial file.
    '-set_serial',
    String(1000 + Math.floor(Math.random() * 1_000_000)),
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
    '-extensions',
    ext,
    '-out',
    `${name}.crt`,
  );
}

export async function makeCerts(): Promise<TestCerts> {
  const dir = tempDir('cairn-tls-');
  writeFileSync(join(dir, 'ext.cnf'), EXTENSIONS);
  await Promise.all([makeCa(dir, 'ca', 'Cairn Test CA'), makeCa(dir, 'rogue-ca', 'Rogue CA')]);
  await Promise.all([
    issue(dir, 'ca', 'server', 'localhost', 'server'),
    issue(dir, 'ca', 'client', 'cairn-client', 'client'),
    issue(dir, 'rogue-ca', 'rogue', 'cairn-client', 'client'),
  ]);
  const f = (n: string) => join(dir, n);
  const read = (n: string) => readFileSync(f(n));
  return {
    dir,
    files: {
      ca: f('ca.crt'),
      serverCert: f('server.crt'),
      serverKey: f('server.key'),
      clientCert: f('client.crt'),
      clientKey: f('client.key'),
    },
    ca: read('ca.crt'),
    client: { cert: read('client.crt'), key: read('client.key') },
    rogue: { cert: read('rogue.crt'), key: read('rogue.key') },
  };
}
