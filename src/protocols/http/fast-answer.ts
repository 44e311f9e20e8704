/**
 * How the fast path (./fast-path.ts) writes its answers: the same status, headers and bytes as
 * the routes' Fastify replies, straight onto node:http's ServerResponse.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { ErrorReply } from '../../errors.js';
import { fail as failReply } from './respond.js';
import { JSON_UTF8 } from './routes/key-path.js';

/** An answer of known length (`bytes`, when the caller knows it), headers and body in one go. */
export function send(
  res: ServerResponse,
  status: number,
  body: string,
  type = JSON_UTF8,
  bytes = Buffer.byteLength(body),
): void {
  // The flat array form: Node stores it without walking an object's keys (same header bytes).
  res.writeHead(status, ['content-type', type, 'content-length', bytes]);
  res.end(body);
}

/** The resource API's error answer: respond.ts `fail` itself, on the ServerResponse. */
export function fail(res: ServerResponse, err: ErrorReply): undefined {
  failReply(new ResponseReply(res).asReply(), err);
}

/**
 * The few FastifyReply methods the resource routes' shared handlers use to answer (respond.ts
 * `fail`, `reply.type(JSON_UTF8).send(text)`), on a ServerResponse, so that the fast path can
 * hand a request it already read (a collection PUT) to the route's own handler. Every answer
 * is text: a string as given, objects through JSON.stringify (the routes' error bodies serialize
 * the same way under their response schemas).
 */
export class ResponseReply {
  private status = 200;
  private contentType = JSON_UTF8;

  constructor(private readonly res: ServerResponse) {}

  code(status: number): this {
    this.status = status;
    return this;
  }

  header(name: string, value: string | string[]): this {
    this.res.setHeader(name, value);
    return this;
  }

  type(contentType: string): this {
    this.contentType = contentType;
    return this;
  }

  send(payload: unknown): this {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    send(this.res, this.status, body, this.contentType);
    return this;
  }

  /** Typed as the reply the route handlers take (they call only the methods above). */
  asReply(): FastifyReply {
    return this as unknown as FastifyReply;
  }
}
