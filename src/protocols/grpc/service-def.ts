/**
 * grpc-js service definitions from protobuf-es descriptors: the generated code (src/gen, from
 * proto/cairn/v1/cairn.proto) supplies the message schemas, and each method's serializers are
 * protobuf-es `toBinary` / `fromBinary`. One function serves the server, the benchmark and any
 * in-process client, so the wire format can only come from the .proto.
 */
import {
  type DescMessage,
  type DescService,
  fromBinary,
  type MessageShape,
  toBinary,
} from '@bufbuild/protobuf';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

/** Wrap protobuf-es output in a Buffer without copying (grpc-js frames Buffers). */
function asBuffer(u8: Uint8Array): Buffer {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

export function serializer<D extends DescMessage>(schema: D): (msg: MessageShape<D>) => Buffer {
  return (msg) => asBuffer(toBinary(schema, msg));
}

export function deserializer<D extends DescMessage>(schema: D): (buf: Buffer) => MessageShape<D> {
  return (buf) => fromBinary(schema, buf);
}

/** The grpc-js definition of a protobuf-es service, keyed by the proto method name (`Get`). */
export function grpcServiceDefinition(service: DescService): ServiceDefinition {
  const def: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const m of service.methods) {
    def[m.name] = {
      path: `/${service.typeName}/${m.name}`,
      requestStream: m.methodKind === 'client_streaming' || m.methodKind === 'bidi_streaming',
      responseStream: m.methodKind === 'server_streaming' || m.methodKind === 'bidi_streaming',
      requestSerialize: serializer(m.input) as (v: unknown) => Buffer,
      requestDeserialize: deserializer(m.input),
      responseSerialize: serializer(m.output) as (v: unknown) => Buffer,
      responseDeserialize: deserializer(m.output),
      originalName: m.localName,
    };
  }
  return def as ServiceDefinition;
}
