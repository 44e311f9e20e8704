/**
 * Throwaway certificates for the secure soak, made with the `openssl` CLI in a fresh directory
 * under os.tmpdir(): a CA and a server certificate for 127.0.0.1 and localhost signed by it
 * (one-way TLS: the clients trust the CA, the server asks for no client certificate).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const EXTENSIONS = `[server]
subjectAltName = IP:127.0.0.1, DNS:localhost
extendedKeyUsage = serverAuth
`;

const openssl = (dir, ...args) => run('openssl', args, { cwd: dir });

/** Resolves to { dir, files: { ca, serverCert, serverKey }, ca: Buffer }. */
export async function makeCerts() {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-soak-tls-'));
  writeFileSync(join(dir, 'ext.cnf'), EXTENSIONS);
  const key = ['-newkey', 'rsa:2048', '-nodes', '-days', '2'];
  await openssl(
    dir,
    'req',
    '-x509',
    ...key,
    '-subj',
    '/CN=Cairn Soak CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
  );
  await openssl(
    dir,
    'req',
    ...key.slice(0, 3),
    '-subj',
    '/CN=localhost',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
  );
  await openssl(
    dir,
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-set_serial',
    String(1000 + Math.floor(Math.random() * 1_000_000)),
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
    '-extensions',
    'server',
    '-out',
    'server.crt',
  );
  const f = (n) => join(dir, n);
  return {
    dir,
    files: { ca: f('ca.crt'), serverCert: f('server.crt'), serverKey: f('server.key') },
    ca: readFileSync(f('ca.crt')),
  };
}
