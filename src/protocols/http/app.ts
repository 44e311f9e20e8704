/**
 * The Fastify application of the HTTP door: options and bounds, body parsers, the one error
 * shape for everything Fastify itself refuses, the docs, and the routes.
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import type { ConfigStore } from '../../config/store.js';
import { ErrorReply } from '../../errors.js';
import type { Metrics } from '../../observability/metrics.js';
import type { DoorHost } from '../door.js';
import { HttpBridge } from './bridge.js';
import { pathEnd, percentDecode } from './bytes.js';
import { HttpExclusions } from './excluded.js';
import { type FastPath, installFastPath, type RequestHandler } from './fast-path.js';
import { lazyAjv, lazySerializerFactory, lazyValidator } from './lazy-compile.js';
import { refuseWhenProtected } from './protected.js';
import { errorBody } from './render.js';
import { badRequest, failIn } from './respond.js';
import { collectionRoutes } from './routes/collection.js';
import { commandRoutes } from './routes/commands.js';
import { registerDocs } from './routes/docs.js';
import { keyRoutes } from './routes/keys.js';
import { opsRoutes } from './routes/ops.js';
import { streamEventRoutes } from './routes/stream-events.js';
import { subscribeRoutes } from './routes/subscribe.js';
import { SHARED_SCHEMAS } from './schemas.js';
import { registerShedding } from './shed.js';
import { httpsServerFactory } from './tls.js';

export interface HttpSettings {
  bodyLimitBytes: number;
  maxHeaderBytes: number;
  /** 0 = none. */
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** false: every request goes through Fastify, none through ./fast-path.ts (tests compare). */
  fastPath?: boolean;
}

export function settingsFrom(config: ConfigStore): HttpSettings {
  return {
    bodyLimitBytes: config.int('http-body-limit'),
    maxHeaderBytes: config.int('http-max-header-bytes'),
    requestTimeoutMs: config.int('http-request-timeout-ms'),
    keepAliveTimeoutMs: config.int('http-keepalive-timeout-ms'),
  };
}

/**
 * How often Node checks connections against the request timeout (its default, 30 s, would let
 * a slow request live 30 s past `http-request-timeout-ms`).
 */
export const CONNECTIONS_CHECK_MS = 1000;

/** Longest error message echoing a path back. */
const ECHO_MAX_CHARS = 128;

/**
 * The router decodes path parameters as UTF-8 and refuses bytes that are not. Keys are bytes,
 * so such escapes are hidden from it (`%FF` -> `%25FF`); handlers read keys from the original
 * URL. Malformed escapes are left alone for the router to refuse with 400.
 */
export function routableUrl(url: string): string {
  const pct = url.indexOf('%');
  if (pct < 0) return url;
  const end = pathEnd(url);
  if (pct > end) return url;
  const bytes = percentDecode(url, 0, end);
  if (bytes === null || isUtf8(bytes)) return url;
  return url.slice(0, end).replace(/%([89a-fA-F][0-9a-fA-F])/g, '%25$1') + url.slice(end);
}

/** Fastify's own refusals (validation, body limits, media types) in the shared error table. */
export function frameworkError(err: FastifyError, contentType?: string): ErrorReply {
  if (err.validation) return badRequest(err.message);
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ErrorReply('TOO_LARGE', 'ERR request body is larger than http-body-limit');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ErrorReply(
        'UNSUPPORTED_MEDIA_TYPE',
        `ERR unsupported media type '${(contentType ?? '').slice(0, ECHO_MAX_CHARS)}': send application/json` +
          ' (or application/octet-stream where a route takes raw bytes)',
      );
    case 'FST_ERR_BAD_URL':
      return badRequest('invalid percent-encoding in path');
  }
  const status = err.statusCode ?? 500;
  if (status === 413) return new ErrorReply('TOO_LARGE', `ERR ${err.message}`);
  if (status === 415) return new ErrorReply('UNSUPPORTED_MEDIA_TYPE', `ERR ${err.message}`);
  if (status === 408) return new ErrorReply('REQUEST_TIMEOUT', `ERR ${err.message}`);
  if (status >= 400 && status < 500) return badRequest(err.message);
  return new ErrorReply('INTERNAL', 'ERR internal error');
}

/** Errors Node's HTTP parser raises before a request exists: answered on the socket itself. */
function clientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
  let e: ErrorReply;
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    e = new ErrorReply('REQUEST_TIMEOUT', 'ERR request not received in time');
  else if (err.code === 'HPE_HEADER_OVERFLOW')
    e = new ErrorReply(
      'HEADERS_TOO_LARGE',
      'ERR request line and headers are larger than http-max-header-bytes',
    );
  else e = badRequest('malformed HTTP request');
  const body = JSON.stringify(errorBody(e));
  socket.end(
    `HTTP/1.1 ${e.http} ${STATUS_CODES[e.http]}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function jsonParser(
  _req: FastifyRequest,
  body: Buffer,
  done: (err: Error | null, body?: unknown) => void,
): void {
  if (body.length === 0) {
    done(null, undefined);
    return;
  }
  if (!isUtf8(body)) {
    done(Object.assign(new Error('request body is not valid UTF-8'), { statusCode: 400 }));
    return;
  }
  let parsed: unknown;
  try {
    // Plain JSON.parse: `__proto__` and `constructor` become ordinary own properties (stored
    // as keys when they are keys); nothing here ever merges a body into another object.
    parsed = JSON.parse(body.toString('utf8'));
  } catch (e) {
    done(Object.assign(new Error(`malformed JSON: ${(e as Error).message}`), { statusCode: 400 }));
    return;
  }
  done(null, parsed);
}

type CompilersFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>;
/** Fastify's type for `compilersFactory.buildValidator` (a factory of Ajv-typed compilers). */
type ValidatorBuilder = NonNullable<CompilersFactory['buildValidator']>;

/**
 * Two validators: query strings and paths are text, so numbers and booleans there are coerced
 * (`?ttl_ms=100`); JSON bodies are typed, so nothing is coerced (`{"value": null}` is an error,
 * not an empty string). Unknown body fields are refused, not silently dropped.
 */
function validatorCompiler() {
  const base = { useDefaults: true, removeAdditional: false, allErrors: false, strictTypes: 'log' } as const;
  const text = lazyAjv({ ...base, coerceTypes: 'array' });
  const json = lazyAjv({ ...base, coerceTypes: false });
  // Compiled on a route's first request, not at start; Ajv itself loads then (./lazy-compile.ts).
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
    lazyValidator(() => (httpPart === 'body' ? json : text).get().compile(schema));
}

export interface HttpApp {
  app: FastifyInstance;
  bridge: HttpBridge;
  /** The hottest requests, answered before the router (null when settings turn it off). */
  fastPath: FastPath | null;
  /** The request listener: the fast path, then the router. */
  handle: RequestHandler;
}

export async function buildHttpApp(
  host: DoorHost,
  settings: HttpSettings,
  metrics: Metrics,
): Promise<HttpApp> {
  const bridge = new HttpBridge(host, new HttpExclusions(host.table));
  const validators = validatorCompiler();
  const app = Fastify({
    logger: false,
    bodyLimit: settings.bodyLimitBytes,
    requestTimeout: settings.requestTimeoutMs,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    http: { maxHeaderSize: settings.maxHeaderBytes, connectionsCheckingInterval: CONNECTIONS_CHECK_MS },
    routerOptions: { maxParamLength: settings.maxHeaderBytes },
    rewriteUrl: (req: IncomingMessage) => routableUrl(req.url ?? '/'),
    return503OnClosing: false,
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    clientErrorHandler: clientError,
    frameworkErrors: (err, req, reply) => failIn(shapeOf(req), reply, frameworkError(err)),
    // Validators and response serializers compile on first use, not at start
    // (./lazy-compile.ts). Both factories are given here so that Fastify does not load its
    // default compilers (Ajv, fast-json-stringify) at construction only to replace them.
    schemaController: {
      compilersFactory: {
        // Fastify calls it as it calls the compiler given to setValidatorCompiler below.
        buildValidator: (() => validators) as unknown as ValidatorBuilder,
        buildSerializer: lazySerializerFactory(),
      },
    },
    // HTTPS when a certificate is configured (./tls.ts), with the same options as `http`.
    serverFactory: httpsServerFactory(host.server.config, {
      maxHeaderSize: settings.maxHeaderBytes,
      connectionsCheckingInterval: CONNECTIONS_CHECK_MS,
    }),
  });
  refuseWhenProtected(app, host.server, shapeOf);
  for (const s of SHARED_SCHEMAS) app.addSchema(s);
  app.setValidatorCompiler(validators);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, jsonParser);
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) =>
    done(null, body),
  );

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const e = frameworkError(err, req.headers['content-type']);
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      // Refused before the body was read: closing now would reset the connection under a
      // client still sending, and it would never see the 413. Let the rest of the body be read
      // and discarded instead; http-request-timeout-ms still bounds how long that may take.
      reply.removeHeader('connection');
      req.raw.resume();
    }
    if (e.kind === 'INTERNAL') host.logger.error({ err, url: req.url }, 'http: internal error');
    failIn(shapeOf(req), reply, e);
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.slice(0, ECHO_MAX_CHARS).replace(/[\r\n]/g, ' ');
    failIn('resource', reply, new ErrorReply('NOT_FOUND', `ERR no route for ${req.method} ${path}`));
  });

  const pressure = await registerShedding(app, host.server, shapeOf);
  await registerDocs(app, host.server.version);
  opsRoutes(app, host.server, metrics, () => bridge.accepting, pressure);
  keyRoutes(app, bridge);
  collectionRoutes(app, bridge);
  commandRoutes(app, bridge, settings.bodyLimitBytes);
  subscribeRoutes(app, bridge);
  streamEventRoutes(app, bridge);
  app.get('/', { schema: { hide: true } }, (_req, reply: FastifyReply) => {
    reply.send({ name: 'cairn', version: host.server.version, docs: '/docs', openapi: '/openapi.json' });
  });
  await app.ready();
  const fastPath =
    settings.fastPath === false ? null : installFastPath(app, bridge, pressure, settings.bodyLimitBytes);
  return { app, bridge, fastPath, handle: fastPath?.handle ?? app.routing };
}

const COMMAND_ROUTES = new Set([
  '/',
  '/pipeline',
  '/multi-exec',
  '/:command',
  '/:command/*',
  '/subscribe/*',
  '/psubscribe/*',
  '/ssubscribe/*',
]);

/** The command API answers errors as Upstash does; everything else in the resource shape. */
function shapeOf(req: FastifyRequest): 'command' | 'resource' {
  const url = req.routeOptions?.url;
  return url !== undefined && COMMAND_ROUTES.has(url) && !(url === '/' && req.method === 'GET')
    ? 'command'
    : 'resource';
}
