/**
 * The command API, compatible with Upstash's REST protocol so that `@upstash/redis` works
 * against Cairn unchanged: `POST /` with `["SET","k","v"]`, the path form `/set/k/v`,
 * `POST /pipeline` and `POST /multi-exec` (atomic, through MULTI/EXEC on one session).
 * Answers are `{"result": ...}` or `{"error": "..."}`; `Upstash-Encoding: base64` turns every
 * string of the answer into base64 (binary-safe). Replies come in RESP2 shapes, as Upstash
 * answers (HGETALL a flat array, scores strings); `Cairn-Protocol: 3` (or `?resp=3` on the
 * JSON routes) runs the session in RESP3 and keeps maps, sets, doubles and booleans.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext } from '../../../commands/context.js';
import type { Reply } from '../../../commands/reply.js';
import { ErrorReply } from '../../../errors.js';
import type { HttpBridge } from '../bridge.js';
import { queryPairs, rawSegments, textBytes } from '../bytes.js';
import { resultJson } from '../render.js';
import { resultJson3 } from '../render3.js';
import { badRequest, type Done, failCommand, withSession } from '../respond.js';
import {
  BatchBody,
  CommandBody,
  CommandError,
  CommandResult,
  PathParams,
  ProtocolHeaders,
  ProtocolQuery,
} from '../schemas.js';

const TAGS = ['commands'];
const MULTI = [Buffer.from('MULTI')];
const EXEC = [Buffer.from('EXEC')];
const DISCARD = [Buffer.from('DISCARD')];

/** First path segments that belong to other routes: never read them as a command name. */
const RESERVED_FIRST_SEGMENTS = new Set([
  'v1',
  'docs',
  'openapi.json',
  'openapi.yaml',
  'metrics',
  'healthz',
  'readyz',
]);

const commandResponses = {
  200: CommandResult,
  400: CommandError,
  401: CommandError,
  409: CommandError,
  413: CommandError,
  503: CommandError,
};

/** How a request wants its answers: base64 strings, RESP3 shapes. */
interface Out {
  base64: boolean;
  resp3: boolean;
}

function base64Wanted(req: FastifyRequest): boolean {
  const h = req.headers['upstash-encoding'];
  return typeof h === 'string' && h.toLowerCase() === 'base64';
}

/** `Cairn-Protocol: 3`, or `?resp=3` where the query string is not the command's arguments. */
function outOf(req: FastifyRequest, queryAllowed: boolean): Out {
  const h = req.headers['cairn-protocol'];
  const q = queryAllowed ? (req.query as ProtocolQuery | undefined)?.resp : undefined;
  return { base64: base64Wanted(req), resp3: h === '3' || (h === undefined && q === '3') };
}

function result(r: Reply, out: Out): string {
  return out.resp3 ? resultJson3(r, out.base64) : resultJson(r, out.base64);
}

/** The session answers in the protocol asked for: some commands' shapes depend on it. */
function session(ctx: CommandContext, out: Out): CommandContext {
  if (out.resp3) ctx.client.resp = 3;
  return ctx;
}

function sendJson(reply: FastifyReply, text: string): void {
  reply.type('application/json').send(text);
}

/** A command array from JSON to argv; null when a string is not well-formed Unicode. */
export function toArgv(cmd: CommandBody): Buffer[] | null {
  const argv: Buffer[] = new Array(cmd.length);
  for (let i = 0; i < cmd.length; i++) {
    const a = cmd[i];
    const b = typeof a === 'string' ? textBytes(a) : Buffer.from(String(a));
    if (b === null) return null;
    argv[i] = b;
  }
  return argv;
}

const notUnicode = badRequest('command arguments must be valid Unicode strings');

/** Run a batch one command after another on one session; each answer stands alone. */
async function pipeline(bridge: HttpBridge, ctx: CommandContext, cmds: BatchBody, out: Out): Promise<string> {
  const parts: string[] = [];
  for (const cmd of cmds) {
    const argv = toArgv(cmd);
    let r: Reply;
    if (argv === null) r = notUnicode;
    else r = bridge.exclusions.check(argv, true) ?? (await bridge.run(ctx, argv));
    parts.push(result(r, out));
  }
  return `[${parts.join(',')}]`;
}

/**
 * MULTI, the commands, EXEC: all of them or none. Arguments are checked before anything is
 * queued, so a refused command leaves nothing stored half-way.
 */
function transaction(
  bridge: HttpBridge,
  ctx: CommandContext,
  cmds: BatchBody,
  out: Out,
  reply: FastifyReply,
): Done {
  const all: Buffer[][] = [];
  for (const cmd of cmds) {
    const argv = toArgv(cmd);
    if (argv === null) return failCommand(reply, notUnicode);
    const refused = bridge.exclusions.check(argv, true);
    if (refused !== null) return failCommand(reply, refused);
    all.push(argv);
  }
  const begun = bridge.run(ctx, MULTI);
  if (begun instanceof ErrorReply) return failCommand(reply, begun);
  for (const argv of all) {
    const q = bridge.run(ctx, argv);
    // A bound the door enforces (sizes) is not seen by the dispatcher's queue: abort here.
    if (q instanceof ErrorReply && ctx.client.multi !== null && !ctx.client.multiError) {
      bridge.run(ctx, DISCARD);
      return failCommand(reply, q);
    }
  }
  const done = (r: Reply): Done => {
    if (r instanceof ErrorReply) return failCommand(reply, r);
    if (!Array.isArray(r)) return failCommand(reply, new ErrorReply('ERR', 'ERR transaction aborted'));
    sendJson(reply, `[${r.map((x) => result(x, out)).join(',')}]`);
  };
  const r = bridge.run(ctx, EXEC);
  return r instanceof Promise ? r.then(done) : done(r);
}

function single(
  bridge: HttpBridge,
  ctx: CommandContext,
  argv: Buffer[],
  out: Out,
  reply: FastifyReply,
): Done {
  const refused = bridge.exclusions.check(argv, false);
  if (refused !== null) return failCommand(reply, refused);
  const finish = (r: Reply): Done => {
    if (r instanceof ErrorReply) return failCommand(reply, r);
    sendJson(reply, result(r, out));
  };
  const r = bridge.run(ctx, argv);
  return r instanceof Promise ? r.then(finish) : finish(r);
}

/** The path form: `/set/k/v?EX=10` is SET k v EX 10; a POST body is the last path argument. */
function pathArgv(req: FastifyRequest): Buffer[] | null {
  const url = req.originalUrl;
  const segs = rawSegments(url, 0);
  const pairs = queryPairs(url);
  if (segs === null || pairs === null) return null;
  const body = req.body;
  if (Buffer.isBuffer(body) && body.length > 0) segs.push(body);
  for (const [k, v] of pairs) {
    segs.push(k);
    if (v !== null) segs.push(v);
  }
  return segs;
}

export function commandRoutes(app: FastifyInstance, bridge: HttpBridge, bodyLimitBytes: number): void {
  const commandList = [...bridge.host.table.entries.keys()]
    .filter((n) => !bridge.exclusions.byName.has(n))
    .sort()
    .join(', ');

  app.post<{ Body: CommandBody }>(
    '/',
    {
      schema: {
        tags: TAGS,
        operationId: 'runCommand',
        summary: 'Run one command (Upstash REST compatible)',
        description:
          'The body is the command as a JSON array. Answers `{"result": ...}`, or `{"error": "..."}` with the ' +
          'error table’s status. Send `Upstash-Encoding: base64` for binary-safe answers. Replies have ' +
          'RESP2 shapes, as Upstash answers (HGETALL `["f","v"]`, ZSCORE `"1.5"`); `Cairn-Protocol: 3` or ' +
          '`?resp=3` gives RESP3 shapes (HGETALL `{"f":"v"}`, ZSCORE `1.5`, sets as arrays, booleans). ' +
          `Commands: ${commandList}.`,
        headers: ProtocolHeaders,
        querystring: ProtocolQuery,
        body: CommandBody,
        response: commandResponses,
      },
    },
    (req, reply) =>
      withSession(bridge, req, reply, 'command', (ctx) => {
        const argv = toArgv(req.body);
        if (argv === null) return failCommand(reply, notUnicode);
        const out = outOf(req, true);
        return single(bridge, session(ctx, out), argv, out, reply);
      }),
  );

  app.post<{ Body: BatchBody }>(
    '/pipeline',
    {
      schema: {
        tags: TAGS,
        operationId: 'runPipeline',
        summary: 'Run several commands in order',
        description:
          'Not atomic; one answer per command, each `{"result"}` or `{"error"}`. Shapes as for `POST /`.',
        headers: ProtocolHeaders,
        querystring: ProtocolQuery,
        body: BatchBody,
        response: { 200: { type: 'array', items: CommandResult }, 400: CommandError, 401: CommandError },
      },
    },
    (req, reply) =>
      withSession(bridge, req, reply, 'command', (ctx) => {
        const out = outOf(req, true);
        return pipeline(bridge, session(ctx, out), req.body, out).then((text) => sendJson(reply, text));
      }),
  );

  app.post<{ Body: BatchBody }>(
    '/multi-exec',
    {
      schema: {
        tags: TAGS,
        operationId: 'runTransaction',
        summary: 'Run several commands atomically (MULTI/EXEC)',
        description:
          'All or nothing: a command refused while queueing aborts the whole transaction. Shapes as for `POST /`.',
        headers: ProtocolHeaders,
        querystring: ProtocolQuery,
        body: BatchBody,
        response: {
          200: { type: 'array', items: CommandResult },
          400: CommandError,
          401: CommandError,
          409: CommandError,
        },
      },
    },
    (req, reply) =>
      withSession(bridge, req, reply, 'command', (ctx) => {
        const out = outOf(req, true);
        return transaction(bridge, session(ctx, out), req.body, out, reply);
      }),
  );

  // The path form takes any body as raw bytes (curl -d sends form encoding by default).
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: bodyLimitBytes }, (_req, body, done) =>
      done(null, body),
    );
    const handler = (req: FastifyRequest<{ Params: PathParams }>, reply: FastifyReply): Done => {
      if (RESERVED_FIRST_SEGMENTS.has(req.params.command)) {
        reply.callNotFound();
        return;
      }
      return withSession(bridge, req, reply, 'command', (ctx) => {
        const argv = pathArgv(req);
        if (argv === null) return failCommand(reply, badRequest('invalid percent-encoding in path or query'));
        const out = outOf(req, false);
        return single(bridge, session(ctx, out), argv, out, reply);
      });
    };
    const schema = {
      tags: TAGS,
      summary: 'Run one command given as a path (Upstash REST compatible)',
      description:
        '`/set/k/v` is `SET k v`; each segment percent-encoded. A POST body is one more argument (the value); ' +
        'query parameters follow as `name value` pairs (`?EX=10`). `Cairn-Protocol: 3` gives RESP3 shapes.',
      headers: ProtocolHeaders,
      params: PathParams,
      response: commandResponses,
    };
    // No automatic HEAD: HEAD /del/k must not delete anything.
    const route = (method: 'GET' | 'POST', url: string, operationId: string) =>
      scope.route({ method, url, schema: { ...schema, operationId }, handler, exposeHeadRoute: false });
    route('GET', '/:command', 'getPathCommand');
    route('POST', '/:command', 'postPathCommand');
    route('GET', '/:command/*', 'getPathCommandWithArguments');
    route('POST', '/:command/*', 'postPathCommandWithArguments');
  });
}
