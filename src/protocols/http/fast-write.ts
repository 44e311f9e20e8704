/**
 * The fast path's writes (./fast-path.ts decides which requests come here): `POST /v1/kv` and
 * `PUT /v1/keys/{key}` with a plainly sized JSON body. The body is read, parsed as app.ts
 * `jsonParser` parses it and checked by the route's own compiled validator, with Fastify's
 * error text; then the route's mapping runs: SET through the dispatcher, or for a collection
 * PUT the route's own handler (keys-typed.ts `writeTyped`) answering through ResponseReply.
 */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { CommandContext } from '../../commands/context.js';
import type { Reply } from '../../commands/reply.js';
import { ErrorReply } from '../../errors.js';
import type { HttpBridge } from './bridge.js';
import { decodeText, textBytes } from './bytes.js';
import { fail, ResponseReply, send } from './fast-answer.js';
import { badRequest, conditionFailed } from './respond.js';
import { isCollectionBody, setArgv } from './routes/keys.js';
import { writeTyped } from './routes/keys-typed.js';
import type { KvPostBody, SetBody } from './schemas.js';
import type { CollectionPutBody } from './schemas-typed.js';

/** A compiled body validator: true, or false with Ajv's `errors`. */
export interface BodyValidator {
  (data: unknown): boolean;
  errors?: Array<{ instancePath?: string; message?: string }> | null;
}

const OK_JSON = '{"ok":true}';
const notUnicode = badRequest('key and value must be valid Unicode');

/** Fastify's default schema error text for a body (`body/ttl_ms must be >= 1`). */
function validationMessage(v: BodyValidator): string {
  return (v.errors ?? []).map((e) => `body${e.instancePath ?? ''} ${e.message}`).join(', ');
}

/** The body as app.ts jsonParser parses it, or its refusal (Fastify then closes the connection). */
function parseJson(raw: Buffer): { body: unknown } | ErrorReply {
  if (!isUtf8(raw)) return badRequest('request body is not valid UTF-8');
  try {
    return { body: JSON.parse(raw.toString('utf8')) };
  } catch (e) {
    return badRequest(`malformed JSON: ${(e as Error).message}`);
  }
}

/** What the fast path does with a write once the body is in: POST /v1/kv or PUT of `key`. */
type Write = (req: IncomingMessage, res: ServerResponse, body: unknown, key: Buffer | null) => void;

export class FastWrites {
  constructor(
    private readonly bridge: HttpBridge,
    private readonly validateKv: BodyValidator,
    private readonly validatePut: BodyValidator,
    private readonly internalError: (err: unknown, res: ServerResponse) => void,
  ) {}

  /** Read `length` bytes of JSON body, then POST /v1/kv (key null) or PUT `key`. */
  read(req: IncomingMessage, res: ServerResponse, length: number, key: Buffer | null): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    // A request cut short is answered by no one: its socket is gone (and without an 'error'
    // listener Node emits no error for it).
    req.on('end', () => {
      try {
        const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length);
        const parsed = parseJson(raw);
        if (parsed instanceof ErrorReply) {
          res.setHeader('connection', 'close');
          fail(res, parsed);
        } else if (key === null) this.post(req, res, parsed.body, null);
        else this.put(req, res, parsed.body, key);
      } catch (err) {
        this.internalError(err, res);
      }
    });
  }

  /** Fastify validates before the handler opens a session; so do these. */
  private session(req: IncomingMessage, res: ServerResponse, then: (c: CommandContext) => void): void {
    const c = this.bridge.beginOn(req.socket as Socket, req.headers.authorization);
    if (c instanceof Promise) {
      c.then((x) => (x instanceof ErrorReply ? fail(res, x) : then(x))).catch((err) =>
        this.internalError(err, res),
      );
    } else if (c instanceof ErrorReply) fail(res, c);
    else then(c);
  }

  private run(res: ServerResponse, c: CommandContext, argv: Buffer[], done: Done): void {
    const r = this.bridge.run(c, argv);
    if (r instanceof Promise) r.then((x) => done(res, x)).catch((err) => this.internalError(err, res));
    else done(res, r);
  }

  // ---- POST /v1/kv: routes/kv.ts, SET ---------------------------------------------------------

  private readonly post: Write = (req, res, body) => {
    if (!this.validateKv(body)) return fail(res, badRequest(validationMessage(this.validateKv)));
    const kv = body as KvPostBody;
    this.session(req, res, (c) => {
      const key = textBytes(kv.key);
      const value = textBytes(kv.value);
      if (key === null || value === null) return fail(res, notUnicode);
      const argv = setArgv(key, value, { ttl_ms: kv.ttl_ms });
      if (argv instanceof ErrorReply) return fail(res, argv);
      this.run(res, c, argv, posted);
    });
  };

  // ---- PUT /v1/keys/{key}: routes/keys.ts writeKey for a JSON body ----------------------------

  private readonly put: Write = (req, res, body, key) => {
    if (key === null) throw new Error('a PUT without a key');
    if (!this.validatePut(body)) return fail(res, badRequest(validationMessage(this.validatePut)));
    const b = body as SetBody | CollectionPutBody;
    this.session(req, res, (c) => {
      if (isCollectionBody(b)) {
        const done = writeTyped(this.bridge, new ResponseReply(res).asReply(), c, key, b);
        if (done instanceof Promise) done.catch((err) => this.internalError(err, res));
        return;
      }
      const value = decodeText(b.value, b.encoding);
      if (value === null) return fail(res, badRequest(`value is not valid ${b.encoding ?? 'text'}`));
      const argv = setArgv(key, value, b);
      if (argv instanceof ErrorReply) return fail(res, argv);
      this.run(res, c, argv, wrote);
    });
  };
}

type Done = (res: ServerResponse, r: Reply) => undefined;

function posted(res: ServerResponse, r: Reply): undefined {
  if (r instanceof ErrorReply) return fail(res, r);
  send(res, 200, OK_JSON);
}

function wrote(res: ServerResponse, r: Reply): undefined {
  if (r instanceof ErrorReply) return fail(res, r);
  // SET NX / XX that did not write.
  if (r === null) return fail(res, conditionFailed);
  send(res, 200, OK_JSON);
}
