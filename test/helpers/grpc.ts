/**
 * A gRPC client for Cairn built the way a user of another service would build one: from
 * proto/cairn/v1/cairn.proto with @grpc/proto-loader (not from Cairn's generated code), so the
 * tests check the contract on the wire. Unary methods are promisified.
 */
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { REPO_ROOT } from './cairn.js';

export const CAIRN_PROTO = join(REPO_ROOT, 'proto', 'cairn', 'v1', 'cairn.proto');

const definition = protoLoader.loadSync(CAIRN_PROTO, {
  keepCase: true,
  longs: String,
  enums: String,
  bytes: Buffer,
  defaults: true,
  oneofs: true,
});
const pkg = grpc.loadPackageDefinition(definition) as unknown as {
  cairn: { v1: { CairnService: grpc.ServiceClientConstructor } };
};

export interface CallOpts {
  metadata?: grpc.Metadata;
  /** Milliseconds from now. */
  timeoutMs?: number;
}

// biome-ignore lint/suspicious/noExplicitAny: messages are plain objects decoded by proto-loader
export type Msg = Record<string, any>;

export interface CairnGrpc {
  raw: grpc.Client & Record<string, (...args: unknown[]) => unknown>;
  unary(method: string, req: Msg, opts?: CallOpts): Promise<Msg>;
  stream(method: string, req: Msg, opts?: CallOpts): grpc.ClientReadableStream<Msg>;
  close(): void;
}

function callOptions(opts: CallOpts = {}): grpc.CallOptions {
  return opts.timeoutMs === undefined ? {} : { deadline: Date.now() + opts.timeoutMs };
}

export function cairnClient(
  port: number,
  options: grpc.ChannelOptions = {},
  credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
  host = '127.0.0.1',
): CairnGrpc {
  const raw = new pkg.cairn.v1.CairnService(`${host}:${port}`, credentials, options) as CairnGrpc['raw'];
  return {
    raw,
    unary(method, req, opts) {
      return new Promise((resolve, reject) => {
        const cb = (err: grpc.ServiceError | null, res: Msg) => (err ? reject(err) : resolve(res));
        raw[method](req, opts?.metadata ?? new grpc.Metadata(), callOptions(opts), cb);
      });
    },
    stream(method, req, opts) {
      return raw[method](
        req,
        opts?.metadata ?? new grpc.Metadata(),
        callOptions(opts),
      ) as grpc.ClientReadableStream<Msg>;
    },
    close() {
      raw.close();
    },
  };
}

/** The status a failed call ended with (rejects when the call succeeded). */
export async function statusOf(p: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await p;
  } catch (e) {
    return e as grpc.ServiceError;
  }
  throw new Error('expected the call to fail');
}

/** Every message of a server stream, and the status it ended with. */
export function drain(
  s: grpc.ClientReadableStream<Msg>,
): Promise<{ messages: Msg[]; status: grpc.StatusObject }> {
  const messages: Msg[] = [];
  s.on('data', (m: Msg) => messages.push(m));
  return new Promise((resolve) => {
    // 'status' comes last, after 'error' for a failed stream.
    s.on('error', () => {});
    s.on('status', (status: grpc.StatusObject) => resolve({ messages, status }));
  });
}

/** Resolves when the stream's response headers arrive (Watch: the subscription is active). */
export function headers(s: grpc.ClientReadableStream<Msg>): Promise<grpc.Metadata> {
  return new Promise((resolve, reject) => {
    s.once('metadata', resolve);
    s.once('error', reject);
  });
}

export { grpc };

/** Cairn's in-process test server (real table and dispatcher, manual clock) with the gRPC door on a free port. */
export async function startGrpcInProcess(config: Record<string, string> = {}) {
  const { createTestServer } = await import('../../src/server/testing.js');
  const { startGrpcDoor } = await import('../../src/protocols/grpc/server.js');
  const ts = createTestServer({ config });
  const door = await startGrpcDoor(ts.host, { host: '127.0.0.1', port: 0 });
  const client = cairnClient(door.port);
  return {
    ts,
    door,
    client,
    async close() {
      client.close();
      await door.close(1000);
      ts.close();
    },
  };
}
