/**
 * The standard services that let generic tools find and probe the door: `grpc.health.v1`
 * (SERVING, or NOT_SERVING while the dataset loads or the server shuts down) and server
 * reflection (v1 and v1alpha), which serves Cairn's file descriptor from the generated code,
 * so grpcurl and friends see exactly the contract in proto/cairn/v1/cairn.proto.
 *
 * Both are registered at start but load on their first call (./lazy-service.ts): the stock
 * implementations bring @grpc/proto-loader and protobufjs, which nothing else here needs.
 */
import { createRequire } from 'node:module';
import { toBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import type { Server, ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import type * as ProtoLoader from '@grpc/proto-loader';
import type { PackageDefinition } from '@grpc/proto-loader';
import type * as Reflection from '@grpc/reflection';
import type * as HealthCheck from 'grpc-health-check';
import type { HealthImplementation, ServingStatus } from 'grpc-health-check';
import type { ServerApi } from '../../commands/context.js';
import { CairnService, file_cairn_v1_cairn } from '../../gen/cairn/v1/cairn_pb.js';
import { addLazyService, captureServices, type LazyMethod, type LoadedService } from './lazy-service.js';

const require = createRequire(import.meta.url);

const HEALTH = '/grpc.health.v1.Health';
const HEALTH_METHODS: readonly LazyMethod[] = [
  { name: 'Check', path: `${HEALTH}/Check`, requestStream: false, responseStream: false },
  { name: 'Watch', path: `${HEALTH}/Watch`, requestStream: false, responseStream: true },
  { name: 'List', path: `${HEALTH}/List`, requestStream: false, responseStream: false },
];
const REFLECTION_VERSIONS = ['v1', 'v1alpha'] as const;

/** How often health watchers hear about loading/closing changes nobody asked about. */
const HEALTH_POLL_MS = 1000;

export class HealthState {
  /** The stock implementation, created by the first health call. */
  private impl: HealthImplementation | null = null;
  private status: ServingStatus | null = null;
  private readonly watchers = new Set<ServerWritableStream<unknown, unknown>>();
  private timer: NodeJS.Timeout | null = null;
  /** Set by the door when it stops accepting. */
  stopping = false;

  constructor(private readonly server: ServerApi) {
    this.sync();
  }

  /** Recompute the status from the server's state and tell watchers when it changed. */
  sync(): void {
    const s: ServingStatus =
      this.stopping || this.server.loading || this.server.closing ? 'NOT_SERVING' : 'SERVING';
    if (s === this.status) return;
    this.status = s;
    this.publish();
  }

  private publish(): void {
    if (this.impl === null || this.status === null) return;
    // '' is the whole server, by convention; the service name for per-service probes.
    this.impl.setStatus('', this.status);
    this.impl.setStatus(CairnService.typeName, this.status);
  }

  addTo(server: Server): void {
    addLazyService(server, HEALTH_METHODS, () => {
      const { HealthImplementation } = require('grpc-health-check') as typeof HealthCheck;
      const impl = new HealthImplementation();
      this.impl = impl;
      this.publish();
      const stock = captureServices((s) => impl.addToServer(s)).get(HEALTH);
      if (stock === undefined) throw new Error('grpc-health-check added no health service');
      return { definition: stock.definition, implementation: this.wrap(stock.implementation) };
    });
    this.timer = setInterval(() => this.sync(), HEALTH_POLL_MS);
    this.timer.unref();
  }

  /**
   * The stock implementation, wrapped: Check recomputes first; Watch streams are remembered so
   * shutdown can end them (they would otherwise hold the drain open until the grace ends).
   */
  private wrap(impl: UntypedServiceImplementation): UntypedServiceImplementation {
    const check = impl.check as (call: unknown, cb: unknown) => void;
    const watch = impl.watch as (call: ServerWritableStream<unknown, unknown>) => void;
    return {
      ...impl,
      check: (call: unknown, cb: unknown) => {
        this.sync();
        check(call, cb);
      },
      watch: (call: ServerWritableStream<unknown, unknown>) => {
        this.watchers.add(call);
        call.once('cancelled', () => this.watchers.delete(call));
        call.once('finish', () => this.watchers.delete(call));
        watch(call);
      },
    };
  }

  /** NOT_SERVING, then end the health watch streams. */
  stop(): void {
    this.stopping = true;
    this.sync();
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const w of this.watchers) w.end();
    this.watchers.clear();
  }
}

/** Reflection (v1 and v1alpha) over Cairn's service and the health service, loaded on first call. */
export function addReflection(server: Server): void {
  let stock: Map<string, LoadedService> | null = null;
  const load = () => {
    if (stock !== null) return stock;
    const { loadSync } = require('@grpc/proto-loader') as typeof ProtoLoader;
    const { ReflectionService } = require('@grpc/reflection') as typeof Reflection;
    const { protoPath: healthProtoPath } = require('grpc-health-check') as typeof HealthCheck;
    const health = loadSync(healthProtoPath);
    const cairn = {
      [CairnService.typeName]: {
        fileDescriptorProtos: [Buffer.from(toBinary(FileDescriptorProtoSchema, file_cairn_v1_cairn.proto))],
      },
    } as unknown as PackageDefinition;
    const service = new ReflectionService({ ...health, ...cairn });
    stock = captureServices((s) => service.addToServer(s));
    return stock;
  };
  for (const v of REFLECTION_VERSIONS) {
    const prefix = `/grpc.reflection.${v}.ServerReflection`;
    const method = {
      name: 'ServerReflectionInfo',
      path: `${prefix}/ServerReflectionInfo`,
      requestStream: true,
      responseStream: true,
    };
    addLazyService(server, [method], () => {
      const s = load().get(prefix);
      if (s === undefined) throw new Error(`@grpc/reflection added no ${prefix} service`);
      return s;
    });
  }
}
