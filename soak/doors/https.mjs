/**
 * A small fetch-like client over node:https for the secure soak: Node 20's fetch cannot be told
 * which CA to trust (that needs undici's Agent, not installed), so requests go through an
 * https.Agent that trusts only `ca` and keeps connections alive. It supports what the HTTP door
 * uses: method, headers, a string or Buffer body, an AbortSignal, and a reply with status,
 * text(), json() and arrayBuffer(). The body is read in full before the promise resolves; an
 * abort at any point before then rejects it (an AbortError, as fetch does).
 */
import { Agent, request } from 'node:https';

class Reply {
  constructor(status, body) {
    this.status = status;
    this.body = body;
  }

  async text() {
    return this.body.toString('utf8');
  }

  async json() {
    return JSON.parse(this.body.toString('utf8'));
  }

  async arrayBuffer() {
    const b = this.body;
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
  }
}

function abortError() {
  const e = new Error('This operation was aborted');
  e.name = 'AbortError';
  return e;
}

/** A fetch(url, init) trusting only `ca`; `.close()` drops its kept-alive connections. */
export function httpsFetch(ca) {
  const agent = new Agent({ ca, keepAlive: true });
  const tlsFetch = (url, init = {}) =>
    new Promise((resolve, fail) => {
      // However the abort surfaces (the request's error, a response cut short), it is an AbortError.
      const reject = (e) => fail(init.signal?.aborted ? abortError() : e);
      const body = typeof init.body === 'string' ? Buffer.from(init.body) : init.body;
      const headers = { ...init.headers };
      if (body !== undefined) headers['content-length'] = String(body.length);
      const req = request(
        url,
        { method: init.method ?? 'GET', headers, agent, signal: init.signal },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('error', reject);
          res.on('close', () => {
            if (res.complete) resolve(new Reply(res.statusCode, Buffer.concat(chunks)));
            else reject(Object.assign(new Error('response cut short'), { code: 'ECONNRESET' }));
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  tlsFetch.close = () => agent.destroy();
  return tlsFetch;
}
