/**
 * A gRPC service registered at start whose implementation, and the code behind its message
 * codecs, load on its first call. Health and reflection are standard services built on
 * @grpc/proto-loader and protobufjs (a few MB of RSS, docs/footprint.md) that most servers
 * rarely or never see a call for; Cairn's own service does not use them (protobuf-es).
 *
 * The method paths and streaming kinds are declared up front (grpc-js routes by path); every
 * codec and handler call delegates to the real definition, loaded synchronously by `load()`
 * the first time any of them runs.
 */
import type {
  MethodDefinition,
  Server,
  ServiceDefinition,
  UntypedHandleCall,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';

export interface LazyMethod {
  /** The method's name in the service definition (`Check`, `ServerReflectionInfo`). */
  readonly name: string;
  /** `/package.Service/Method`. */
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
}

export interface LoadedService {
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

type Method = MethodDefinition<unknown, unknown>;

/** Add a service to `server` whose definition and implementation `load()` returns on first use. */
export function addLazyService(
  server: Server,
  methods: readonly LazyMethod[],
  load: () => LoadedService,
): void {
  let loaded: LoadedService | null = null;
  const get = (): LoadedService => {
    if (loaded === null) loaded = load();
    return loaded;
  };
  const definition: Record<string, Method> = {};
  const implementation: UntypedServiceImplementation = {};
  for (const m of methods) {
    const real = (): Method => {
      const d = get().definition[m.name] as Method | undefined;
      if (d === undefined || d.path !== m.path)
        throw new Error(`gRPC method ${m.path} not found in its service`);
      return d;
    };
    definition[m.name] = {
      path: m.path,
      requestStream: m.requestStream,
      responseStream: m.responseStream,
      requestSerialize: (v) => real().requestSerialize(v),
      requestDeserialize: (b) => real().requestDeserialize(b),
      responseSerialize: (v) => real().responseSerialize(v),
      responseDeserialize: (b) => real().responseDeserialize(b),
    };
    const handler = (...args: unknown[]): void => {
      const { implementation: impl } = get();
      const fn = (impl[m.name] ?? impl[real().originalName ?? '']) as ((...a: unknown[]) => void) | undefined;
      if (fn === undefined) throw new Error(`gRPC method ${m.path} has no implementation`);
      fn(...args);
    };
    implementation[m.name] = handler as UntypedHandleCall;
  }
  server.addService(definition as ServiceDefinition, implementation);
}

/** The (definition, implementation) pairs a stock `addToServer(server)` would add, by path prefix. */
export function captureServices(addToServer: (server: Server) => void): Map<string, LoadedService> {
  const out = new Map<string, LoadedService>();
  const capture = {
    addService(definition: ServiceDefinition, implementation: UntypedServiceImplementation): void {
      const first = Object.values(definition)[0] as Method;
      out.set(first.path.slice(0, first.path.lastIndexOf('/')), { definition, implementation });
    },
  };
  addToServer(capture as Pick<Server, 'addService'> as Server);
  return out;
}
