/**
 * A Server-Sent-Events reader over fetch for tests that look at the wire itself (status before
 * the stream, comment lines, raw `data:` lines, the end of the stream). Browser-like clients
 * use the `eventsource` package or a real browser instead.
 */
import { waitFor } from '../resp-support.js';

export interface SseEvent {
  event: string;
  data: string;
  id: string | null;
}

export interface SseReader {
  status: number;
  headers: Headers;
  /** The body when the server refused the stream (not 200). */
  body: string;
  events: SseEvent[];
  /** Every line as received (`data: ...`, `:`, `event: ...`). */
  lines: string[];
  /** Comment lines (heartbeats) seen. */
  comments: number;
  /** Resolves when the server ends the stream (or the connection drops). */
  ended: Promise<void>;
  isEnded(): boolean;
  /** Wait until `n` events arrived; returns them. */
  waitEvents(n: number, timeoutMs?: number): Promise<SseEvent[]>;
  close(): void;
}

export async function openSse(url: string, init: RequestInit = {}): Promise<SseReader> {
  const abort = new AbortController();
  const res = await fetch(url, { ...init, signal: abort.signal });
  const r: SseReader = {
    status: res.status,
    headers: res.headers,
    body: '',
    events: [],
    lines: [],
    comments: 0,
    ended: Promise.resolve(),
    isEnded: () => ended,
    async waitEvents(n, timeoutMs = 10_000) {
      await waitFor(() => r.events.length >= n, timeoutMs, `${n} events (got ${r.events.length})`);
      return r.events.slice(0, n);
    },
    close: () => abort.abort(),
  };
  let ended = false;
  if (res.status !== 200 || res.body === null) {
    r.body = await res.text();
    ended = true;
    return r;
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  let cur: SseEvent = { event: 'message', data: '', id: null };
  let hasData = false;
  const line = (l: string) => {
    r.lines.push(l);
    if (l === '') {
      if (hasData) r.events.push({ ...cur, data: cur.data.slice(0, -1) });
      cur = { event: 'message', data: '', id: null };
      hasData = false;
      return;
    }
    if (l.startsWith(':')) {
      r.comments++;
      return;
    }
    const colon = l.indexOf(':');
    const field = colon < 0 ? l : l.slice(0, colon);
    let value = colon < 0 ? '' : l.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      cur.data += `${value}\n`;
      hasData = true;
    } else if (field === 'event') cur.event = value;
    else if (field === 'id') cur.id = value;
  };
  r.ended = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        for (;;) {
          const m = /\r\n|\r|\n/.exec(buf);
          if (m === null) break;
          line(buf.slice(0, m.index));
          buf = buf.slice(m.index + m[0].length);
        }
      }
    } catch {
      // aborted or reset: the stream is over either way
    } finally {
      ended = true;
    }
  })();
  return r;
}
