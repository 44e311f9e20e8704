/**
 * Keyspace notifications (Redis's notify.c): command handlers report what they did to a key
 * (`notify('$', 'set', key, db)`), and when `notify-keyspace-events` enables that class the
 * event is published on `__keyspace@<db>__:<key>` (message: the event) and/or
 * `__keyevent@<db>__:<event>` (message: the key) through the pub/sub hub. Keys removed by
 * expiry or eviction are reported by the engine as change events; this module turns those into
 * `expired` and `evicted` notifications, so the engine knows nothing about pub/sub.
 */
import type { KeyspaceEvents, NotifyClass, NotifyListener, PubSubApi } from '../commands/context.js';
import {
  NOTIFY_CLASS_BITS,
  NOTIFY_EVICTED,
  NOTIFY_EXPIRED,
  NOTIFY_KEYEVENT,
  NOTIFY_KEYSPACE,
} from '../config/options/notify.js';
import type { ConfigStore } from '../config/store.js';
import type { ChangeKind } from '../engine/types.js';

const OPTION = 'notify-keyspace-events';
const KEYSPACE_PREFIX = Buffer.from('__keyspace@');
const KEYEVENT_PREFIX = Buffer.from('__keyevent@');
const EXPIRED = Buffer.from('expired');
const EVICTED = Buffer.from('evicted');

/** Channel bytes `__key...@<db>__:` for `db`, built once per database. */
function channelHead(heads: Buffer[], prefix: Buffer, db: number): Buffer {
  let head = heads[db];
  if (head === undefined) {
    head = Buffer.concat([prefix, Buffer.from(`${db}__:`)]);
    heads[db] = head;
  }
  return head;
}

export class KeyspaceNotifier {
  /**
   * The enabled bits, kept at 0 for every class unless K or E is on too, so that the test in
   * `notify` is the whole cost of a notification that publishes nothing.
   */
  private classes = 0;
  private flags = 0;
  private readonly spaceHeads: Buffer[] = [];
  private readonly eventHeads: Buffer[] = [];
  /** Event name -> its bytes (event names are a small fixed vocabulary). */
  private readonly eventBytes = new Map<string, Buffer>();
  /** Listeners of every notification, published or not (ServerApi.onNotify); null when none. */
  private listeners: NotifyListener[] | null = null;

  /** `owner.pubsub` is read at each publish: the hub may be installed after this is built. */
  constructor(
    private readonly owner: { readonly pubsub: PubSubApi },
    config: ConfigStore,
    events: KeyspaceEvents,
  ) {
    this.setFlags(config.int(OPTION));
    config.onChange((name) => {
      if (name === OPTION) this.setFlags(config.int(OPTION));
    });
    events.subscribe((db, key, kind) => this.onEngineChange(db, key, kind));
  }

  /** The bits of notify-keyspace-events (Redis's NOTIFY_* values). */
  setFlags(flags: number): void {
    this.flags = flags;
    this.classes = flags & (NOTIFY_KEYSPACE | NOTIFY_KEYEVENT) ? flags : 0;
  }

  /** True when an event of class `type` would be published. */
  enabled(type: NotifyClass): boolean {
    const classes = this.classes;
    return classes !== 0 && (classes & NOTIFY_CLASS_BITS[type]) !== 0;
  }

  /** Hear every notification, whatever the flags; returns the function that stops it. */
  listen(listener: NotifyListener): () => void {
    this.listeners = [...(this.listeners ?? []), listener];
    return () => {
      const rest = (this.listeners ?? []).filter((l) => l !== listener);
      this.listeners = rest.length === 0 ? null : rest;
    };
  }

  notify(type: NotifyClass, event: string, key: Buffer, db: number): void {
    const listeners = this.listeners;
    if (listeners !== null) for (const l of listeners) l(event, key, db);
    const classes = this.classes;
    // Off (the default): this one test is the whole cost of a command's notification.
    if (classes === 0 || (classes & NOTIFY_CLASS_BITS[type]) === 0) return;
    this.publish(this.eventName(event), key, db);
  }

  private publish(event: Buffer, key: Buffer, db: number): void {
    const pubsub = this.owner.pubsub;
    if (this.flags & NOTIFY_KEYSPACE) {
      const head = channelHead(this.spaceHeads, KEYSPACE_PREFIX, db);
      pubsub.publish(Buffer.concat([head, key]), event);
    }
    if (this.flags & NOTIFY_KEYEVENT) {
      const head = channelHead(this.eventHeads, KEYEVENT_PREFIX, db);
      // Copied: the engine's key is valid only during its change listener's call.
      pubsub.publish(Buffer.concat([head, event]), Buffer.from(key));
    }
  }

  private eventName(event: string): Buffer {
    let b = this.eventBytes.get(event);
    if (b === undefined) {
      b = Buffer.from(event);
      if (this.eventBytes.size < 256) this.eventBytes.set(event, b);
    }
    return b;
  }

  /** Removals by the engine itself: lazy or active expiry, and eviction. */
  private onEngineChange(db: number, key: Buffer | null, kind: ChangeKind): void {
    if (this.classes === 0 || key === null) return;
    if (kind === 'expire') {
      if (this.classes & NOTIFY_EXPIRED) this.publish(EXPIRED, key, db);
    } else if (kind === 'evict') {
      if (this.classes & NOTIFY_EVICTED) this.publish(EVICTED, key, db);
    }
  }
}
