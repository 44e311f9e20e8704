/**
 * TLS on every door, through real clients: redis-cli --tls, ioredis and node-redis on tls-port,
 * node:https on the HTTP port, grpc-js with SSL credentials on the gRPC port. Client
 * certificates (tls-auth-clients yes / optional), plaintext clients on TLS ports, the TLS-only
 * server (port -1), and start-up failures for unusable certificate files.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CairnProcess, startCairn } from './helpers/cairn.js';
import { makeCerts, type TestCerts } from './helpers/certs.js';
import { cairnClient, grpc, statusOf } from './helpers/grpc.js';
import { CERT_REFUSED, CERT_REQUIRED, probeTlsDoors, SERVED } from './helpers/tls-probe.js';

const run = promisify(execFile);
const B = (s: string) => Buffer.from(s);

interface ClientCert {
  cert: Buffer;
  key: Buffer;
}

let certs: TestCerts;
/** One-way TLS on every door, plaintext RESP still on. */
let oneWay: CairnProcess;
/** Client certificates required (tls-auth-clients yes), plaintext RESP off. */
let mutual: CairnProcess;
/** Client certificates optional. */
let optional: CairnProcess;
/** RESP TLS, but HTTP and gRPC kept plain (http-tls no, grpc-tls no). */
let plainDoors: CairnProcess;

function tlsArgs(...extra: string[]): string[] {
  return [
    '--tls-port',
    '0',
    '--tls-cert-file',
    certs.files.serverCert,
    '--tls-key-file',
    certs.files.serverKey,
    ...extra,
  ];
}

beforeAll(async () => {
  certs = await makeCerts();
  const withCa = (mode: string) => ['--tls-ca-cert-file', certs.files.ca, '--tls-auth-clients', mode];
  [oneWay, mutual, optional, plainDoors] = await Promise.all([
    startCairn({ args: tlsArgs() }),
    startCairn({ args: tlsArgs('--port', '-1', ...withCa('yes')) }),
    startCairn({ args: tlsArgs(...withCa('optional')) }),
    startCairn({ args: tlsArgs('--http-tls', 'no', '--grpc-tls', 'no') }),
  ]);
});

afterAll(async () => {
  await Promise.all([oneWay, mutual, optional, plainDoors].map((s) => s?.stop()));
});

/** A RESP command over TLS with ioredis; rejects when the server refuses the connection. */
async function iored(port: number, cert: ClientCert | null, ...cmd: string[]): Promise<unknown> {
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    // SNI carries a name, never an IP address (RFC 6066); the certificate has both.
    tls: { ca: certs.ca, servername: 'localhost', ...(cert ?? {}) },
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return await redis.call(cmd[0], ...cmd.slice(1));
  } finally {
    redis.disconnect();
  }
}

/** GET over HTTPS with node:https, trusting the test CA. */
function httpsGet(
  port: number,
  path: string,
  cert: ClientCert | null,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, ca: certs.ca, ...(cert ?? {}), agent: false },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function grpcTls(port: number, cert: ClientCert | null) {
  const creds =
    cert === null
      ? grpc.credentials.createSsl(certs.ca)
      : grpc.credentials.createSsl(certs.ca, cert.key, cert.cert);
  return cairnClient(port, {}, creds);
}

/** A gRPC Get over TLS; resolves with the value or rejects with the call's status. */
async function grpcGet(port: number, cert: ClientCert | null, key: string): Promise<Buffer> {
  const c = grpcTls(port, cert);
  try {
    const r = await c.unary('Get', { key: B(key) }, { timeoutMs: 10_000 });
    return r.value as Buffer;
  } finally {
    c.close();
  }
}

/** What a plaintext client that sends PING on a TLS port gets back before the close. */
function plaintextPing(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    let got = '';
    s.on('connect', () => s.write('*1\r\n$4\r\nPING\r\n'));
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
    });
    s.on('error', () => {});
    s.on('close', () => resolve(got));
  });
}

/** Raw TLS probes of each door of `srv`, with `cert` (see helpers/tls-probe.ts). */
const probeDoors = (srv: CairnProcess, cert: ClientCert | null) =>
  probeTlsDoors(srv, { ca: certs.ca, servername: 'localhost', ...(cert ?? {}) });

describe('TLS with a server certificate', () => {
  it('serves RESP on tls-port to redis-cli, ioredis and node-redis, one keyspace with plaintext', async () => {
    const port = oneWay.tlsRespPort;
    expect(port).toBeGreaterThan(0);
    expect(oneWay.logs()).toContain(`TLS on port ${port}`);
    const cli = await run('redis-cli', [
      '--tls',
      '--cacert',
      certs.files.ca,
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      'PING',
    ]);
    expect(cli.stdout.trim()).toBe('PONG');

    expect(await iored(port, null, 'SET', 'tls:k', 'over-tls')).toBe('OK');
    const nr = createClient({
      socket: { host: '127.0.0.1', port, tls: true, ca: certs.ca, servername: 'localhost' },
    });
    nr.on('error', () => {});
    await nr.connect();
    try {
      expect(await nr.get('tls:k')).toBe('over-tls');
    } finally {
      nr.destroy();
    }
    const plain = new Redis({ port: oneWay.respPort, lazyConnect: true });
    await plain.connect();
    try {
      expect(await plain.get('tls:k')).toBe('over-tls');
      const info = await plain.info('server');
      expect(info).toContain(`\r\ntls_port:${port}\r\n`);
      expect(info).toContain(`\r\ntcp_port:${oneWay.respPort}\r\n`);
    } finally {
      plain.disconnect();
    }
  });

  it('serves HTTPS on http-port and gRPC over TLS on grpc-port', async () => {
    await iored(oneWay.tlsRespPort, null, 'SET', 'tls:doors', 'same-bytes');
    const r = await httpsGet(oneWay.httpPort, '/v1/keys/tls:doors', null);
    expect(r.status).toBe(200);
    expect(r.body).toContain('same-bytes');
    expect((await grpcGet(oneWay.grpcPort, null, 'tls:doors')).toString()).toBe('same-bytes');
  });

  it('gives plaintext clients on TLS ports no service, and TLS clients on the same ports service', async () => {
    const port = oneWay.tlsRespPort;
    // The server reads a TLS ClientHello, finds none, and closes without a byte.
    expect(await plaintextPing(port)).toBe('');
    const plainCli = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'PING'], {
      timeout: 15_000,
    }).catch((e: { code: unknown; stderr: string }) => e);
    expect(plainCli).toMatchObject({ code: 1, stderr: 'Error: Server closed the connection\n' });
    const tlsCli = await run('redis-cli', [
      '--tls',
      '--cacert',
      certs.files.ca,
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      'PING',
    ]);
    expect(tlsCli.stdout.trim()).toBe('PONG');

    const plainHttp = await fetch(`http://127.0.0.1:${oneWay.httpPort}/healthz`).catch((e: Error) => e);
    expect(plainHttp).toBeInstanceOf(Error);
    expect((plainHttp as Error & { cause: { code: string } }).cause.code).toBe('UND_ERR_SOCKET');
    expect((await httpsGet(oneWay.httpPort, '/healthz', null)).status).toBe(200);

    await iored(port, null, 'SET', 'tls:plain', 'v');
    const insecure = cairnClient(oneWay.grpcPort);
    try {
      const st = await statusOf(insecure.unary('Get', { key: B('tls:plain') }, { timeoutMs: 5000 }));
      expect([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED]).toContain(st.code);
    } finally {
      insecure.close();
    }
    expect((await grpcGet(oneWay.grpcPort, null, 'tls:plain')).toString()).toBe('v');
  });

  it('keeps HTTP and gRPC plain with http-tls no and grpc-tls no', async () => {
    expect(await iored(plainDoors.tlsRespPort, null, 'SET', 'plain:k', 'v')).toBe('OK');
    const res = await fetch(`http://127.0.0.1:${plainDoors.httpPort}/v1/keys/plain:k`);
    expect(res.status).toBe(200);
    const c = cairnClient(plainDoors.grpcPort);
    try {
      expect((await c.unary('Get', { key: B('plain:k') }, { timeoutMs: 10_000 })).value.toString()).toBe('v');
    } finally {
      c.close();
    }
  });
});

describe('client certificates (tls-auth-clients yes, tls-ca-cert-file set)', () => {
  it('runs TLS only with port -1', async () => {
    expect(mutual.respPort).toBe(0);
    expect(mutual.tlsRespPort).toBeGreaterThan(0);
    const info = String(await iored(mutual.tlsRespPort, certs.client, 'INFO', 'server'));
    expect(info).toContain('\r\ntcp_port:0\r\n');
  });

  it('serves a client with a certificate from the CA on every door', async () => {
    const port = mutual.tlsRespPort;
    const cli = await run('redis-cli', [
      '--tls',
      '--cacert',
      certs.files.ca,
      '--cert',
      certs.files.clientCert,
      '--key',
      certs.files.clientKey,
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      'SET',
      'm:k',
      'mutual',
    ]);
    expect(cli.stdout.trim()).toBe('OK');
    expect(await iored(port, certs.client, 'GET', 'm:k')).toBe('mutual');
    expect((await httpsGet(mutual.httpPort, '/v1/keys/m:k', certs.client)).status).toBe(200);
    expect((await grpcGet(mutual.grpcPort, certs.client, 'm:k')).toString()).toBe('mutual');
  });

  it('refuses a client without a certificate, or with one from another CA, on every door', async () => {
    const port = mutual.tlsRespPort;
    const noCert = await run(
      'redis-cli',
      ['--tls', '--cacert', certs.files.ca, '-h', '127.0.0.1', '-p', String(port), 'PING'],
      {
        timeout: 15_000,
      },
    ).catch((e: { code: unknown; stderr: string }) => e);
    expect(noCert).toMatchObject({ code: 1, stderr: 'Error: Server closed the connection\n' });
    // The TLS outcome itself, door by door.
    const none = await probeDoors(mutual, null);
    expect(none).toEqual({ resp: CERT_REQUIRED, http: CERT_REQUIRED, grpc: CERT_REQUIRED });
    const rogue = await probeDoors(mutual, certs.rogue);
    expect(rogue).toEqual({ resp: CERT_REFUSED, http: CERT_REFUSED, grpc: CERT_REFUSED });
    // And through the real clients.
    for (const cert of [null, certs.rogue]) {
      await expect(iored(port, cert, 'PING')).rejects.toThrow('Connection is closed.');
      const https = await httpsGet(mutual.httpPort, '/healthz', cert).catch((e: NodeJS.ErrnoException) => e);
      expect((https as NodeJS.ErrnoException).code).toBe(
        cert === null ? 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' : 'ECONNRESET',
      );
      const st = await statusOf(grpcGet(mutual.grpcPort, cert, 'm:k'));
      expect(st.code).toBe(grpc.status.UNAVAILABLE);
      if (cert === null) expect(st.details).toContain('certificate required');
    }
    // The same ports serve a client with a certificate from the CA.
    expect(await probeDoors(mutual, certs.client)).toEqual({ resp: SERVED, http: SERVED, grpc: SERVED });
    expect(await iored(port, certs.client, 'PING')).toBe('PONG');
    expect((await httpsGet(mutual.httpPort, '/healthz', certs.client)).status).toBe(200);
    await iored(port, certs.client, 'SET', 'm:k', 'mutual');
    expect((await grpcGet(mutual.grpcPort, certs.client, 'm:k')).toString()).toBe('mutual');
  });
});

describe('client certificates (tls-auth-clients optional)', () => {
  it('serves clients without a certificate and with one from the CA', async () => {
    for (const cert of [null, certs.client]) {
      expect(await iored(optional.tlsRespPort, cert, 'PING')).toBe('PONG');
      expect((await httpsGet(optional.httpPort, '/healthz', cert)).status).toBe(200);
      await iored(optional.tlsRespPort, cert, 'SET', 'o:k', 'opt');
      expect((await grpcGet(optional.grpcPort, cert, 'o:k')).toString()).toBe('opt');
    }
  });

  it('refuses a certificate that does not verify, on every door, and serves one that does', async () => {
    expect(await probeDoors(optional, certs.rogue)).toEqual({
      resp: CERT_REFUSED,
      http: CERT_REFUSED,
      grpc: CERT_REFUSED,
    });
    await expect(iored(optional.tlsRespPort, certs.rogue, 'PING')).rejects.toThrow('Connection is closed.');
    const https = await httpsGet(optional.httpPort, '/healthz', certs.rogue).catch(
      (e: NodeJS.ErrnoException) => e,
    );
    expect((https as NodeJS.ErrnoException).code).toBe('ECONNRESET');
    const st = await statusOf(grpcGet(optional.grpcPort, certs.rogue, 'o:k'));
    expect(st.code).toBe(grpc.status.UNAVAILABLE);
    // The same ports serve a verified certificate, and none.
    for (const cert of [certs.client, null]) {
      expect(await probeDoors(optional, cert)).toEqual({ resp: SERVED, http: SERVED, grpc: SERVED });
      expect(await iored(optional.tlsRespPort, cert, 'SET', 'o:k', 'opt')).toBe('OK');
      expect((await httpsGet(optional.httpPort, '/healthz', cert)).status).toBe(200);
      expect((await grpcGet(optional.grpcPort, cert, 'o:k')).toString()).toBe('opt');
    }
  });
});

describe('start-up with unusable TLS files', () => {
  const startFails = async (args: string[]): Promise<string> => {
    try {
      const srv = await startCairn({ args: [...args, '--http-port', '-1', '--grpc-port', '-1'] });
      await srv.stop();
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toContain('cairn exited with 1 before ready');
      return msg;
    }
    throw new Error('expected the start to fail');
  };

  it('exits 1 naming the certificate or key file it cannot use', async () => {
    const bad = join(certs.dir, 'bad.crt');
    writeFileSync(bad, '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n');
    const missingKey = join(certs.dir, 'missing.key');
    const [badCert, noKey, noCert, mismatch] = await Promise.all([
      startFails(['--tls-port', '0', '--tls-cert-file', bad, '--tls-key-file', certs.files.serverKey]),
      startFails([
        '--tls-port',
        '0',
        '--tls-cert-file',
        certs.files.serverCert,
        '--tls-key-file',
        missingKey,
      ]),
      startFails(['--tls-port', '0']),
      startFails([
        '--tls-port',
        '0',
        '--tls-cert-file',
        certs.files.serverCert,
        '--tls-key-file',
        certs.files.clientKey,
      ]),
    ]);
    expect(badCert).toContain(`tls-cert-file ${bad}: not a PEM certificate`);
    expect(noKey).toContain(`tls-key-file ${missingKey}: cannot read`);
    expect(noCert).toContain('tls-port needs tls-cert-file and tls-key-file');
    expect(mismatch).toContain(`tls-key-file ${certs.files.clientKey}`);
  });
});
