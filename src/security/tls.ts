/**
 * TLS for every door. The certificate, key and CA files named by the tls-* options are read and
 * checked once per server, when the first door needs them; a file that cannot be read or parsed
 * stops the start with an error naming the option and the file. The result is one set of
 * node:tls server options shared by the RESP TLS listeners, the HTTPS server and gRPC's TLS
 * listeners, so every door speaks the same protocol versions, ciphers and client-certificate
 * policy.
 *
 * Client certificates follow Redis's `tls-auth-clients`, and only once `tls-ca-cert-file` names
 * the CAs to verify against (without a CA nobody is asked for a certificate):
 *   yes       a certificate signed by one of those CAs is required; the handshake fails without
 *   optional  asked for, not required; one that is presented and does not verify is refused
 *   no        not asked for
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, createServer, type Server, type TLSSocket, type TlsOptions } from 'node:tls';
import type { ConfigStore } from '../config/store.js';

export type ClientAuth = 'yes' | 'no' | 'optional';

export interface TlsSettings {
  /** node:tls server options: key, cert, passphrase, ca, client-certificate policy, versions, ciphers. */
  readonly options: TlsOptions;
  /** The policy in force: 'no' whenever no CA is configured. */
  readonly clientAuth: ClientAuth;
}

/** Bad TLS configuration: the message names the option and the file. */
export class TlsConfigError extends Error {}

/**
 * A connection that has not finished its handshake in this long is dropped (Node's default is
 * 120 s: a client that connects and says nothing, a plaintext one for instance, would hold a
 * socket that long).
 */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

const VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
type Version = (typeof VERSIONS)[number];

/**
 * `tls-protocols` ("TLSv1.2 TLSv1.3", any case, any order) as Node's version range. Node takes a
 * range, not a set: "TLSv1 TLSv1.3" accepts the versions in between too.
 */
export function protocolRange(words: string): { minVersion: Version; maxVersion: Version } | null {
  const picked = words
    .split(/\s+/)
    .filter((w) => w !== '')
    .map((w) => {
      const i = VERSIONS.findIndex((v) => v.toLowerCase() === w.toLowerCase());
      if (i < 0)
        throw new TlsConfigError(`tls-protocols: unknown protocol '${w}' (use ${VERSIONS.join(', ')})`);
      return i;
    });
  if (picked.length === 0) return null;
  return { minVersion: VERSIONS[Math.min(...picked)], maxVersion: VERSIONS[Math.max(...picked)] };
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function readPem(option: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new TlsConfigError(`${option} ${file}: cannot read: ${reason(err)}`);
  }
}

function checkCertificate(option: string, file: string, pem: Buffer): void {
  try {
    new X509Certificate(pem);
  } catch (err) {
    throw new TlsConfigError(`${option} ${file}: not a PEM certificate: ${reason(err)}`);
  }
}

/** Read and check the files; null when no certificate is configured. */
function load(config: ConfigStore): TlsSettings | null {
  const certFile = config.get('tls-cert-file');
  const keyFile = config.get('tls-key-file');
  if (certFile === '' && keyFile === '') return null;
  if (certFile === '' || keyFile === '')
    throw new TlsConfigError('tls-cert-file and tls-key-file must be set together');

  const cert = readPem('tls-cert-file', certFile);
  checkCertificate('tls-cert-file', certFile, cert);
  const key = readPem('tls-key-file', keyFile);
  const passphrase = config.get('tls-key-file-pass') || undefined;
  try {
    createPrivateKey({ key, passphrase });
  } catch (err) {
    throw new TlsConfigError(`tls-key-file ${keyFile}: not a usable private key: ${reason(err)}`);
  }

  const caFile = config.get('tls-ca-cert-file');
  let ca: Buffer | undefined;
  if (caFile !== '') {
    ca = readPem('tls-ca-cert-file', caFile);
    checkCertificate('tls-ca-cert-file', caFile, ca);
  }
  const clientAuth: ClientAuth = ca === undefined ? 'no' : (config.get('tls-auth-clients') as ClientAuth);
  const ciphers = [config.get('tls-ciphersuites'), config.get('tls-ciphers')].filter((c) => c !== '');

  const options: TlsOptions = {
    key,
    cert,
    passphrase,
    ca,
    // Node sends the certificate-required alert itself when rejectUnauthorized is set; for
    // `optional` the verdict is read after the handshake (clientCertRefused).
    requestCert: clientAuth !== 'no',
    rejectUnauthorized: clientAuth === 'yes',
    ...protocolRange(config.get('tls-protocols')),
    ...(ciphers.length > 0 ? { ciphers: ciphers.join(':') } : {}),
    handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
  };
  try {
    // Catches a key that does not belong to the certificate, and cipher lists OpenSSL rejects.
    createSecureContext(options);
  } catch (err) {
    throw new TlsConfigError(
      `tls-cert-file ${certFile} with tls-key-file ${keyFile}` +
        `${ciphers.length > 0 ? ' and tls-ciphers/tls-ciphersuites' : ''}: ${reason(err)}`,
    );
  }
  return { options, clientAuth };
}

const loaded = new WeakMap<ConfigStore, TlsSettings | null>();

/**
 * The server's TLS settings, or null when no certificate is configured. Files are read on the
 * first call for a configuration; later calls (the other doors) share the result.
 * @throws TlsConfigError naming the option and file at fault.
 */
export function tlsSettings(config: ConfigStore): TlsSettings | null {
  let s = loaded.get(config);
  if (s === undefined) {
    s = load(config);
    loaded.set(config, s);
  }
  return s;
}

/** TLS for the HTTP or gRPC door: on when a certificate is configured, unless `<door>-tls no`. */
export function doorTls(config: ConfigStore, door: 'http' | 'grpc'): TlsSettings | null {
  return config.bool(door === 'http' ? 'http-tls' : 'grpc-tls') ? tlsSettings(config) : null;
}

/** TLS settings a listener cannot do without (RESP's tls-port). */
export function requireTls(config: ConfigStore, option: string): TlsSettings {
  const s = tlsSettings(config);
  if (s === null) throw new TlsConfigError(`${option} needs tls-cert-file and tls-key-file`);
  return s;
}

/**
 * With `tls-auth-clients optional`: a client that presented a certificate that did not verify.
 * (With `yes` Node has already refused it; with `no` nobody was asked.)
 */
export function clientCertRefused(settings: TlsSettings, socket: TLSSocket): boolean {
  if (settings.clientAuth !== 'optional' || socket.authorized) return false;
  return socket.getPeerCertificate().raw !== undefined;
}

/**
 * A node:tls server with these settings (plus `extra`, e.g. ALPN) that hands each connection
 * whose client-certificate check passed to `onSecure`. Failed handshakes (plaintext clients,
 * missing or bad certificates) only destroy that socket; `onHandshakeError` hears of them.
 */
export function createTlsServer(
  settings: TlsSettings,
  extra: TlsOptions,
  onSecure: (socket: TLSSocket) => void,
  onHandshakeError: (err: Error, socket: TLSSocket) => void = () => {},
): Server {
  const srv = createServer({ ...settings.options, ...extra }, (socket) => {
    if (clientCertRefused(settings, socket)) {
      onHandshakeError(new Error(`client certificate refused: ${socket.authorizationError}`), socket);
      socket.destroy();
      return;
    }
    onSecure(socket);
  });
  srv.on('tlsClientError', onHandshakeError);
  return srv;
}
