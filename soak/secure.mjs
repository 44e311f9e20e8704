/**
 * The secure soak (`--secure`): the same load with TLS on every door and ACL logins.
 *
 * - A throwaway CA and server certificate (./certs.mjs); RESP is TLS-only (`--tls-port 0
 *   --port -1`), HTTP and gRPC serve TLS on their ports.
 * - The default user gets a random `requirepass`; the writers log in as `soak` (their keys,
 *   nothing dangerous), the checks and admin commands (CLIENT LIST, INFO, SCAN, SHUTDOWN SAVE)
 *   as `admin`. Passwords are random per run and redacted from the report.
 * - Checks at the end: no access-control refusal reached a client or the server's ACL LOG, and
 *   each door refuses a plaintext client and a client that does not log in.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import { makeCerts } from './certs.mjs';
import { GrpcDoor } from './doors/grpc.mjs';
import { httpsFetch } from './doors/https.mjs';
import { ioredisOptions } from './doors/resp.mjs';
import { parseInfo } from './server.mjs';

const WRITER_RULES = '~soak:* +@all -@dangerous';
const ADMIN_RULES = '~* +@all';
/** Error kinds (and message words) of an access-control refusal, on any door. */
const AUTH_ERROR =
  /NOPERM|WRONGPASS|NOAUTH|UNAUTHENTICATED|PERMISSION_DENIED|unauthenticated|forbidden|Authentication required|no permissions/;
const PROBE_TIMEOUT_MS = 3000;

/** Certificates, passwords and server flags; resolves to { args, writer, admin, describe, cleanup }. */
export async function secureSetup() {
  const certs = await makeCerts();
  const password = () => randomBytes(16).toString('hex');
  const login = (username) => ({ ca: certs.ca, username, password: password() });
  const writer = login('soak');
  const admin = login('admin');
  const args = [
    '--tls-port',
    '0',
    '--port',
    '-1',
    '--tls-cert-file',
    certs.files.serverCert,
    '--tls-key-file',
    certs.files.serverKey,
    '--requirepass',
    password(),
    '--user',
    `${writer.username} on >${writer.password} ${WRITER_RULES}`,
    '--user',
    `${admin.username} on >${admin.password} ${ADMIN_RULES}`,
  ];
  return {
    args,
    writer,
    admin,
    describe:
      'RESP TLS-only (ioredis and node-redis with the CA; the raw clients run TLS over the TCP socket they reset), ' +
      'HTTPS (node:https with the CA, `Authorization: Basic`), gRPC over TLS (`createSsl`, `username`/`password` metadata); ' +
      `a throwaway CA, server certificate for IP:127.0.0.1 and DNS:localhost. Writers log in as ACL user \`soak\` (\`${WRITER_RULES}\`), ` +
      `the checks and admin commands as \`admin\` (\`${ADMIN_RULES}\`); the default user has a \`requirepass\`.`,
    cleanup: () => rmSync(certs.dir, { recursive: true, force: true }),
  };
}

/** Server flags as shown in the report: passwords replaced by `***`. */
export function redactArgs(args) {
  return args.map((a, i) => {
    if (args[i - 1] === '--requirepass') return '***';
    return args[i - 1] === '--user' ? `'${a.replace(/ [>#]\S+/g, ' >***')}'` : a;
  });
}

/** Access-control refusals the clients saw: { total, unexpected, kinds }. */
export function authErrors(stats) {
  let total = 0;
  let unexpected = 0;
  const kinds = new Set();
  for (const e of stats.errors.values()) {
    if (!AUTH_ERROR.test(e.kind) && !e.samples.some((s) => AUTH_ERROR.test(s))) continue;
    total += e.count;
    if (!e.expected) unexpected += e.count;
    kinds.add(`${e.door} ${e.kind}`);
  }
  return { total, unexpected, kinds: [...kinds] };
}

/** Refusals and failed logins the server logged (ACL LOG, as the admin): { count, entries }. */
export async function aclLog(control) {
  const entries = (await control.call('ACL', 'LOG')).map((flat) => {
    const e = {};
    for (let i = 0; i < flat.length; i += 2) e[String(flat[i])] = flat[i + 1];
    return e;
  });
  const count = entries.reduce((n, e) => n + Number(e.count), 0);
  const shown = entries.slice(0, 5).map((e) => `${e.username} ${e.reason} ${e.object} x${e.count}`);
  return { count, shown };
}

/** The checks of a secure run, after the load and before the shutdown. */
export async function secureChecks({ ports, control, stats, writer }) {
  const checks = [];
  const log = await aclLog(control);
  const auth = authErrors(stats);
  checks.push({
    name: 'no NOPERM / WRONGPASS / NOAUTH / UNAUTHENTICATED / PERMISSION_DENIED / 401 / 403 at the clients',
    ok: auth.total === 0,
    detail: `${auth.total} (${auth.unexpected} unexpected)${auth.kinds.length > 0 ? `: ${auth.kinds.join(', ')}` : ''}`,
  });
  checks.push({
    name: 'no refusals or failed logins in the server ACL LOG',
    ok: log.count === 0,
    detail: log.count === 0 ? 'ACL LOG empty' : `${log.count}: ${log.shown.join('; ')}`,
  });
  // The probes below are refused on purpose; ACL LOG was read before them.
  checks.push(await respProbe(ports, control, writer));
  checks.push(await httpProbe(ports, writer));
  checks.push(await grpcProbe(ports, writer));
  return checks;
}

/** RESP: no plaintext port (INFO), no answer in plaintext on the TLS port, NOAUTH without a login. */
async function respProbe(ports, control, { ca }) {
  const info = parseInfo(await control.info('server'));
  const plain = await plaintextPing(ports.resp);
  const anon = new Redis(ioredisOptions(ports.resp, { ca }));
  anon.on('error', () => {});
  const noLogin = await anon.get('soak:probe').then(
    () => 'answered',
    (e) => e.message.split(' ')[0],
  );
  anon.disconnect();
  const ok =
    info.tcp_port === '0' &&
    info.tls_port === String(ports.resp) &&
    plain !== '+PONG' &&
    noLogin === 'NOAUTH';
  return {
    name: 'RESP: TLS only, login required',
    ok,
    detail: `INFO tcp_port ${info.tcp_port}, tls_port ${info.tls_port}; plaintext PING on it: ${plain}; GET without a login: ${noLogin}`,
  };
}

/** What a plaintext PING to `port` gets: the first reply line, or how the connection ended. */
async function plaintextPing(port) {
  const s = createConnection({ port, host: '127.0.0.1' });
  s.setTimeout(PROBE_TIMEOUT_MS);
  let got = '';
  s.on('data', (d) => {
    got += d.toString('latin1');
  });
  s.on('timeout', () => s.destroy());
  s.on('error', () => {});
  s.write('PING\r\n');
  await once(s, 'close');
  const line = got.split('\r\n')[0];
  return line === '' ? 'no answer, closed' : JSON.stringify(line.slice(0, 40));
}

/** HTTP: plaintext fails, a request without Authorization is 401. */
async function httpProbe(ports, { ca }) {
  const plain = await fetch(`http://127.0.0.1:${ports.http}/healthz`, {
    signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
  }).then(
    (res) => `HTTP ${res.status}`,
    (e) => `failed (${e.cause?.code ?? e.name})`,
  );
  const tlsFetch = httpsFetch(ca);
  const res = await tlsFetch(`https://127.0.0.1:${ports.http}/v1/keys/soak%3Aprobe`);
  tlsFetch.close();
  const ok = plain.startsWith('failed') && res.status === 401;
  return {
    name: 'HTTP: TLS only, login required',
    ok,
    detail: `plaintext GET /healthz: ${plain}; HTTPS GET without credentials: ${res.status}`,
  };
}

/** gRPC: a plaintext channel fails, a TLS call without metadata is UNAUTHENTICATED. */
async function grpcProbe(ports, { ca }) {
  // rng 0.9: a Get call, not Execute.
  const get = (door) =>
    door.start(door.client, { op: 'get', key: 'soak:probe' }, undefined, PROBE_TIMEOUT_MS);
  const plainDoor = new GrpcDoor(ports.grpc, () => 0.9);
  const plain = await get(plainDoor);
  await plainDoor.close();
  const anonDoor = new GrpcDoor(ports.grpc, () => 0.9, { ca });
  anonDoor.metadata = () => new grpc.Metadata();
  const anon = await get(anonDoor);
  await anonDoor.close();
  const ok = plain.status !== 'ok' && anon.code === 'UNAUTHENTICATED';
  return {
    name: 'gRPC: TLS only, login required',
    ok,
    detail: `plaintext Get: ${plain.status} ${plain.code}; TLS Get without credentials: ${anon.status} ${anon.code}`,
  };
}
