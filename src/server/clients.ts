/** Client sessions and the registry behind CLIENT LIST / KILL and INFO clients. */
import type { ClientRegistry, ClientState, Door, PubSubMessage, Subscriptions } from '../commands/context.js';
import type { PubSubBatch } from '../commands/pubsub/types.js';
import type { Reply } from '../commands/reply.js';
import type { TrackingState } from '../commands/tracking.js';
import type { ClientInit } from '../protocols/door.js';
import type { AclUser } from '../security/acl-user.js';

type ClientBufferStats = ReturnType<ClientState['bufferStats']>;

let nextClientId = 1;

class Client implements ClientState {
  readonly id = nextClientId++;
  readonly door: Door;
  readonly addr: string;
  readonly laddr: string;
  readonly createdAt: number;
  db = 0;
  resp: 2 | 3 = 2;
  name = '';
  libName = '';
  libVer = '';
  authenticated: boolean;
  acl: AclUser;
  credentialed = false;
  multi: Buffer[][] | null = null;
  multiError = false;
  watching: Set<string> | null = null;
  watchDirty = false;
  replyMode: 'on' | 'off' | 'skip' = 'on';
  noEvict = false;
  blocked = false;
  pubsub: Subscriptions | null = null;
  execPushes: Reply[] | null = null;
  lastInteraction: number;
  lastCommand = 'NULL';
  tracking: TrackingState | null = null;
  monitor = false;
  replica = false;
  deferredPushes: Reply[] | null = null;
  private readonly closeFn: () => void;
  private readonly statsFn: () => ClientBufferStats;
  private readonly pushFn: (reply: Reply) => boolean;
  private readonly deliverFn: ((msg: PubSubMessage) => void) | null;

  constructor(init: ClientInit, now: number, user: AclUser) {
    this.acl = user;
    this.door = init.door;
    this.addr = init.addr;
    this.laddr = init.laddr;
    this.createdAt = now;
    this.lastInteraction = now;
    this.authenticated = user.needsNoPassword;
    this.closeFn = init.close;
    this.statsFn = init.bufferStats ?? (() => ({ qbuf: 0, obl: 0, omem: 0 }));
    this.pushFn = init.push ?? cannotPush;
    this.deliverFn = init.deliver ?? null;
  }

  get user(): string {
    return this.acl.name;
  }

  close(): void {
    this.closeFn();
  }

  bufferStats(): ClientBufferStats {
    return this.statsFn();
  }

  push(reply: Reply): boolean {
    return this.pushFn(reply);
  }

  deliver(msg: PubSubMessage): void {
    if (this.deliverFn !== null) this.deliverFn(msg);
    else if (this.execPushes !== null) this.execPushes.push(msg.reply);
    else this.pushFn(msg.reply);
  }

  deliverBatch(batch: PubSubBatch): void {
    if (this.deliverFn !== null || this.execPushes !== null) for (const m of batch.messages) this.deliver(m);
    else this.pushFn(batch);
  }
}

const cannotPush = (): boolean => false;

export class Clients implements ClientRegistry {
  private readonly byId = new Map<number, ClientState>();
  private readonly perDoor: Record<Door, number> = { resp: 0, http: 0, grpc: 0 };

  /** A new client runs as `user` (the default user), authenticated when that needs no password. */
  create(init: ClientInit, now: number, user: AclUser): ClientState {
    return new Client(init, now, user);
  }

  add(c: ClientState): void {
    this.byId.set(c.id, c);
    this.perDoor[c.door]++;
  }

  remove(c: ClientState): void {
    if (this.byId.delete(c.id)) this.perDoor[c.door]--;
  }

  list(): Iterable<ClientState> {
    return this.byId.values();
  }

  get(id: number): ClientState | undefined {
    return this.byId.get(id);
  }

  count(door?: Door): number {
    return door === undefined ? this.byId.size : this.perDoor[door];
  }
}
