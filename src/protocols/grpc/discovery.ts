/**
 * The standard services that let generic tools find and probe the door: `grpc.health.v1`
 * (SERVING, or NOT_SERVING while the dataset loads or the server shuts down) and server
 * reflection (v1 and v1alpha), which serves Cairn's file descriptor from the generated code,
 * so grpcurl and friends see exactly the contract in proto/cairn/v1/cairn.proto.
 */
import { toBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import type { Server, ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath, type ServingStatus } from 'grpc-health-check';
import type { ServerApi } from '../../commands/context.js';
import { CairnService, file_cairn_v1_cairn } from '../../gen/cairn/v1/cairn_pb.js';

/** How often health watchers hear about loading/closing changes nobody asked about. */
const HEALTH_POLL_MS = 1000;

export class HealthState {
  private readonly impl = new HealthImplementation();
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
    // '' is the whole server, by convention; the service name for per-service probes.
    this.impl.setStatus('', s);
    this.impl.setStatus(CairnService.typeName, s);
  }

  addTo(server: Server): void {
    // Wrap the stock implementation: Check recomputes first; Watch streams are remembered so
    // shutdown can end them (they would otherwise hold the drain open until the grace ends).
    this.impl.addToServer({
      addService: (def, impl: UntypedServiceImplementation) => {
        const check = impl.check as (call: unknown, cb: unknown) => void;
        const watch = impl.watch as (call: ServerWritableStream<unknown, unknown>) => void;
        server.addService(def, {
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
        });
      },
    } as Pick<Server, 'addService'> as Server);
    this.timer = setInterval(() => this.sync(), HEALTH_POLL_MS);
    this.timer.unref();
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

/** Reflection over Cairn's service and the health service. */
export function addReflection(server: Server): void {
  const health = loadSync(healthProtoPath);
  const cairn = {
    [CairnService.typeName]: {
      fileDescriptorProtos: [Buffer.from(toBinary(FileDescriptorProtoSchema, file_cairn_v1_cairn.proto))],
    },
  } as unknown as PackageDefinition;
  new ReflectionService({ ...health, ...cairn }).addToServer(server);
}
