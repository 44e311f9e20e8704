/**
 * The HTTP door through fetch: the resource routes (`/v1/keys/{key}`, raw bytes or JSON), the
 * command API (`POST /`, `/pipeline`, `/multi-exec`), and requests aborted with an
 * AbortController while in flight. With `access` ({ ca, username, password }, the secure soak)
 * requests go over HTTPS trusting only `ca` (through ./https.mjs) with `Authorization: Basic`.
 */
import { FENCE_MS } from '../model.mjs';
import { httpsFetch } from './https.mjs';
import { argvOf, killDelay, ok, refused, respCode, transportCode, unknown } from './result.mjs';

const RAW = 'application/octet-stream';
const JSON_TYPE = 'application/json';

/** Resource API error body `{"error": {"code", "message"}}` to a refusal. */
async function resourceError(res) {
  const text = await res.text();
  try {
    const e = JSON.parse(text).error;
    return refused(e.code, `${res.status} ${e.message}`);
  } catch {
    return refused(`http_${res.status}`, text.slice(0, 200));
  }
}

/** Command API `{"result"}` / `{"error"}` to a result; strings were sent back base64-encoded. */
function commandResult(op, item) {
  if (item.error !== undefined) return refused(respCode(item.error), item.error);
  const r = item.result;
  if (op.op === 'get') return ok(r === null ? null : Buffer.from(r, 'base64'));
  // Like Upstash, the status OK stays as it is; every other string is base64.
  if (op.op === 'set')
    return ok(r === 'OK' || typeof r !== 'string' ? r : Buffer.from(r, 'base64').toString('latin1'));
  return ok(r);
}

/** Command arguments as JSON strings (small values are ASCII, so latin1 is exact). */
const commandArgs = (op) => argvOf(op).map((a) => (Buffer.isBuffer(a) ? a.toString('latin1') : a));

export class HttpDoor {
  constructor(port, rng, access) {
    this.door = 'http';
    this.rng = rng;
    if (access) {
      this.name = 'node:https';
      this.base = `https://127.0.0.1:${port}`;
      const tlsFetch = httpsFetch(access.ca);
      const basic = Buffer.from(`${access.username}:${access.password}`).toString('base64');
      const auth = { authorization: `Basic ${basic}` };
      this.fetch = (url, init = {}) => tlsFetch(url, { ...init, headers: { ...init.headers, ...auth } });
      this.closeAll = tlsFetch.close;
    } else {
      this.name = 'fetch';
      this.base = `http://127.0.0.1:${port}`;
      this.fetch = (url, init) => fetch(url, init);
      this.closeAll = () => {};
    }
  }

  keyUrl(key) {
    return `${this.base}/v1/keys/${encodeURIComponent(key)}`;
  }

  /** One operation, by the resource routes or (small values only, one in three) the command API. */
  async single(op, signal) {
    try {
      const small = op.op !== 'set' || op.value.length < 1024;
      if (small && this.rng() < 0.35) return await this.command(op, signal);
      return await this.resource(op, signal);
    } catch (e) {
      return unknown(transportCode(e), e.message);
    }
  }

  async resource(op, signal) {
    const url = this.keyUrl(op.key);
    switch (op.op) {
      case 'set': {
        let res;
        if (op.value.length >= 1024 || this.rng() < 0.5) {
          const q = op.ttlMs === undefined ? '' : `?ttl_ms=${op.ttlMs}`;
          res = await this.fetch(url + q, {
            method: 'PUT',
            headers: { 'content-type': RAW },
            body: op.value,
            signal,
          });
        } else {
          const body = { value: op.value.toString('latin1') };
          if (op.ttlMs !== undefined) body.ttl_ms = op.ttlMs;
          const headers = { 'content-type': JSON_TYPE };
          res = await this.fetch(url, { method: 'PUT', headers, body: JSON.stringify(body), signal });
        }
        if (res.status !== 200) return resourceError(res);
        await res.arrayBuffer();
        return ok('OK');
      }
      case 'get': {
        const raw = this.rng() < 0.5;
        const res = await this.fetch(url, { headers: { accept: raw ? RAW : JSON_TYPE }, signal });
        if (res.status === 404) {
          await res.arrayBuffer();
          return ok(null);
        }
        if (res.status !== 200) return resourceError(res);
        if (raw) return ok(Buffer.from(await res.arrayBuffer()));
        const body = await res.json();
        return ok(Buffer.from(body.value, body.encoding === 'base64' ? 'base64' : 'utf8'));
      }
      case 'del': {
        const res = await this.fetch(url, { method: 'DELETE', signal });
        // A refusal's body is read once, by resourceError.
        if (res.status !== 204 && res.status !== 404) return resourceError(res);
        await res.arrayBuffer();
        return ok(res.status === 204 ? 1 : 0);
      }
      default: {
        const headers = { 'content-type': JSON_TYPE };
        const res = await this.fetch(`${url}/incr`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ by: op.by }),
          signal,
        });
        if (res.status !== 200) return resourceError(res);
        return ok((await res.json()).value);
      }
    }
  }

  async post(path, body, signal) {
    const headers = { 'content-type': JSON_TYPE, 'upstash-encoding': 'base64' };
    const res = await this.fetch(`${this.base}${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal,
    });
    return { status: res.status, body: await res.json() };
  }

  async command(op, signal) {
    const { body } = await this.post('/', commandArgs(op), signal);
    return commandResult(op, body);
  }

  /** POST /pipeline (not atomic) or, with `atomic`, POST /multi-exec. Small values only. */
  async many(ops, atomic) {
    try {
      const { status, body } = await this.post(atomic ? '/multi-exec' : '/pipeline', ops.map(commandArgs));
      if (status !== 200 || !Array.isArray(body)) {
        const r = refused(respCode(body.error), `${status} ${body.error}`);
        return ops.map(() => r);
      }
      return ops.map((op, i) => commandResult(op, body[i]));
    } catch (e) {
      return ops.map(() => unknown(transportCode(e), e.message));
    }
  }

  batch(ops) {
    return this.many(ops, false);
  }

  atomic(ops) {
    return this.many(ops, true);
  }

  /** The requests run at once; all but a polite few are aborted mid-flight. */
  async vanish(ops, rng) {
    const ac = new AbortController();
    const pending = ops.map((op) => this.single(op, ac.signal));
    if (rng() < 0.2) return { results: await Promise.all(pending), fence: null, mode: 'complete' };
    await killDelay(rng);
    ac.abort();
    return { results: await Promise.all(pending), fence: { ms: FENCE_MS }, mode: 'abort' };
  }

  async close() {
    this.closeAll();
  }
}
