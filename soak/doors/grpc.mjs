/**
 * The gRPC door through @grpc/grpc-js, with a client built from proto/cairn/v1/cairn.proto by
 * @grpc/proto-loader as a user of another service would: Set/Get/Delete/Incr, Execute (the
 * generic command call), MSet as the atomic batch, and calls cancelled or given a deadline too
 * short to make it, on channels that are then closed. With `access` ({ ca, username, password },
 * the secure soak) channels are TLS trusting only `ca`, and every call carries the user's
 * `username` and `password` metadata.
 */
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { REPO_ROOT } from '../../bench/lib/servers.mjs';
import { FENCE_MS } from '../model.mjs';
import { argvOf, killDelay, ok, refused, unknown } from './result.mjs';

const definition = protoLoader.loadSync(join(REPO_ROOT, 'proto', 'cairn', 'v1', 'cairn.proto'), {
  keepCase: true,
  longs: String,
  enums: String,
  bytes: Buffer,
  defaults: true,
  oneofs: true,
});
const { CairnService } = grpc.loadPackageDefinition(definition).cairn.v1;

/** Statuses after which the call may or may not have run. */
const UNKNOWN_OUTCOME = new Set([
  grpc.status.CANCELLED,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.UNAVAILABLE,
]);
const STATUS_NAME = Object.fromEntries(Object.entries(grpc.status).map(([k, v]) => [v, k]));

function failure(err) {
  const name = STATUS_NAME[err.code] ?? `status_${err.code}`;
  return UNKNOWN_OUTCOME.has(err.code) ? unknown(name, err.details) : refused(name, err.details);
}

/** An Execute reply as a result of `op`. */
function executeResult(op, reply) {
  switch (reply.kind) {
    case 'bulk':
      return ok(reply.bulk);
    case 'null':
      return ok(null);
    case 'integer':
      return ok(Number(reply.integer));
    case 'simple':
      return ok(reply.simple);
    case 'error':
      return refused(reply.error.code, reply.error.message);
    default:
      return refused('unexpected_reply', `${op.op} answered a ${reply.kind}`);
  }
}

export class GrpcDoor {
  constructor(port, rng, access) {
    this.door = 'grpc';
    this.name = 'grpc-js';
    this.address = `127.0.0.1:${port}`;
    this.rng = rng;
    this.access = access;
    // The certificate is checked against its DNS:localhost name (grpc-js would otherwise send the
    // IP address as the TLS server name, which Node warns about).
    this.channelOptions = access ? { 'grpc.ssl_target_name_override': 'localhost' } : {};
    this.client = new CairnService(this.address, this.credentials(), this.channelOptions);
  }

  credentials() {
    return this.access ? grpc.credentials.createSsl(this.access.ca) : grpc.credentials.createInsecure();
  }

  metadata() {
    const m = new grpc.Metadata();
    if (this.access) {
      m.set('username', this.access.username);
      m.set('password', this.access.password);
    }
    return m;
  }

  /** Start one call; `calls` collects the call objects (to cancel them). */
  start(client, op, calls, deadlineMs) {
    const options = deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs };
    return new Promise((resolve) => {
      const run = (method, req, render) => {
        const call = client[method](req, this.metadata(), options, (err, res) => {
          if (err === null) return resolve(render(res));
          if (err.code === grpc.status.NOT_FOUND && op.op === 'get') return resolve(ok(null));
          resolve(failure(err));
        });
        calls?.push(call);
      };
      if (this.rng() < 0.3) {
        return run('Execute', { args: argvOf(op).map((a) => Buffer.from(a)) }, (r) =>
          executeResult(op, r.reply),
        );
      }
      switch (op.op) {
        case 'set': {
          const req = { key: Buffer.from(op.key), value: op.value };
          if (op.ttlMs !== undefined) req.ttl_ms = String(op.ttlMs);
          return run('Set', req, () => ok('OK'));
        }
        case 'get':
          return run('Get', { key: Buffer.from(op.key) }, (r) => ok(r.value));
        case 'del':
          return run('Delete', { keys: [Buffer.from(op.key)] }, (r) => ok(Number(r.deleted)));
        default:
          return run('Incr', { key: Buffer.from(op.key), by: String(op.by) }, (r) => ok(Number(r.value)));
      }
    });
  }

  single(op) {
    return this.start(this.client, op);
  }

  /** Concurrent calls on one HTTP/2 connection (keys in a batch are distinct). */
  batch(ops) {
    return Promise.all(ops.map((op) => this.start(this.client, op)));
  }

  /** MSet when every op is a write of a key without a TTL; otherwise null (not atomic here). */
  atomic(ops) {
    if (!ops.every((op) => op.op === 'set' && op.ttlMs === undefined)) return null;
    const entries = ops.map((op) => ({ key: Buffer.from(op.key), value: op.value }));
    return new Promise((resolve) => {
      this.client.MSet({ entries }, this.metadata(), (err) => {
        const r = err === null ? ok('OK') : failure(err);
        resolve(ops.map(() => r));
      });
    });
  }

  /**
   * A new channel (its own connection) starts the calls, some with a deadline of a few
   * milliseconds; the rest are cancelled mid-flight unless this one is polite; then it closes.
   */
  async vanish(ops, rng) {
    const client = new CairnService(this.address, this.credentials(), {
      ...this.channelOptions,
      'grpc.use_local_subchannel_pool': 1,
    });
    const calls = [];
    const pending = ops.map((op) =>
      this.start(client, op, calls, rng() < 0.2 ? 1 + Math.floor(rng() * 3) : undefined),
    );
    if (rng() < 0.2) {
      const results = await Promise.all(pending);
      client.close();
      return { results, fence: { ms: FENCE_MS }, mode: 'complete' };
    }
    await killDelay(rng);
    for (const c of calls) c.cancel();
    const results = await Promise.all(pending);
    client.close();
    return { results, fence: { ms: FENCE_MS }, mode: 'cancel' };
  }

  async close() {
    this.client.close();
  }
}
