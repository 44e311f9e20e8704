/**
 * The client a script's commands run as: the caller's session (db, user, name, ...) as the
 * caller has it, with what the script changes (SELECT, the RESP version, ...) kept to itself.
 *
 * One class for every caller, so the code that reads `ctx.client` from scripts sees one object
 * shape. (A view made with Object.create(caller) turned each caller into a prototype: V8 then
 * gives each caller a map of its own, and every property access on clients, the connection's
 * included, went megamorphic once a few clients had run scripts.) One view per caller is kept
 * and reset at each run start.
 *
 * Fields the script owns (reset per run): db, resp, multi, multiError, replyMode, pubsub,
 * deferredPushes, lastCommand. Every other field reads the caller's current value until a
 * command of the script sets it; from then on the view keeps its own (as a property shadowing
 * the caller's would), until the next run.
 */
import type {
  ClientState,
  CommandContext,
  Door,
  PubSubMessage,
  ServerApi,
  Subscriptions,
} from '../commands/context.js';
import type { PubSubBatch } from '../commands/pubsub/types.js';
import type { Reply } from '../commands/reply.js';
import type { TrackingState } from '../commands/tracking.js';
import type { AclUser } from '../security/acl-user.js';

export type ScriptContext = CommandContext & { readonly fromScript: true };

export class ScriptClient implements ClientState {
  db = 0;
  resp: 2 | 3 = 2;
  multi: Buffer[][] | null = null;
  multiError = false;
  replyMode: 'on' | 'off' | 'skip' = 'on';
  pubsub: Subscriptions | null = null;
  deferredPushes: Reply[] | null = null;
  lastCommand = '';
  // Set by a command of the script: shadows the caller's field for the rest of the run.
  private _name: string | undefined = undefined;
  private _libName: string | undefined = undefined;
  private _libVer: string | undefined = undefined;
  private _authenticated: boolean | undefined = undefined;
  private _acl: AclUser | undefined = undefined;
  private _credentialed: boolean | undefined = undefined;
  private _watching: Set<string> | null | undefined = undefined;
  private _watchDirty: boolean | undefined = undefined;
  private _noEvict: boolean | undefined = undefined;
  private _blocked: boolean | undefined = undefined;
  private _execPushes: Reply[] | null | undefined = undefined;
  private _lastInteraction: number | undefined = undefined;
  private _tracking: TrackingState | null | undefined = undefined;
  private _monitor: boolean | undefined = undefined;
  private _replica: boolean | undefined = undefined;

  private ctx: ScriptContext | null = null;

  constructor(readonly caller: ClientState) {}

  /** The context the script's commands run with: one per view, kept with it. */
  context(server: ServerApi): ScriptContext {
    let ctx = this.ctx;
    if (ctx === null || ctx.server !== server) {
      ctx = { client: this, server, signal: null, deadline: 0, fromScript: true };
      this.ctx = ctx;
    } else {
      ctx.signal = null;
      ctx.deadline = 0;
    }
    return ctx;
  }

  /** Start of a run: the caller's db, RESP2, no transaction, nothing shadowed. */
  reset(): this {
    const c = this.caller;
    this.db = c.db;
    this.resp = 2;
    this.multi = null;
    this.multiError = false;
    this.replyMode = 'on';
    // A RESP3 caller may hold subscriptions; the script's own RESP2 session holds none.
    this.pubsub = null;
    this.deferredPushes = c.deferredPushes;
    this.lastCommand = c.lastCommand;
    this._name = undefined;
    this._libName = undefined;
    this._libVer = undefined;
    this._authenticated = undefined;
    this._acl = undefined;
    this._credentialed = undefined;
    this._watching = undefined;
    this._watchDirty = undefined;
    this._noEvict = undefined;
    this._blocked = undefined;
    this._execPushes = undefined;
    this._lastInteraction = undefined;
    this._tracking = undefined;
    this._monitor = undefined;
    this._replica = undefined;
    return this;
  }

  get id(): number {
    return this.caller.id;
  }
  get door(): Door {
    return this.caller.door;
  }
  get addr(): string {
    return this.caller.addr;
  }
  get laddr(): string {
    return this.caller.laddr;
  }
  get createdAt(): number {
    return this.caller.createdAt;
  }
  get user(): string {
    return this.acl.name;
  }

  get name(): string {
    return this._name ?? this.caller.name;
  }
  set name(v: string) {
    this._name = v;
  }
  get libName(): string {
    return this._libName ?? this.caller.libName;
  }
  set libName(v: string) {
    this._libName = v;
  }
  get libVer(): string {
    return this._libVer ?? this.caller.libVer;
  }
  set libVer(v: string) {
    this._libVer = v;
  }
  get authenticated(): boolean {
    return this._authenticated ?? this.caller.authenticated;
  }
  set authenticated(v: boolean) {
    this._authenticated = v;
  }
  get acl(): AclUser {
    return this._acl ?? this.caller.acl;
  }
  set acl(v: AclUser) {
    this._acl = v;
  }
  get credentialed(): boolean {
    return this._credentialed ?? this.caller.credentialed;
  }
  set credentialed(v: boolean) {
    this._credentialed = v;
  }
  get watching(): Set<string> | null {
    return this._watching === undefined ? this.caller.watching : this._watching;
  }
  set watching(v: Set<string> | null) {
    this._watching = v;
  }
  get watchDirty(): boolean {
    return this._watchDirty ?? this.caller.watchDirty;
  }
  set watchDirty(v: boolean) {
    this._watchDirty = v;
  }
  get noEvict(): boolean {
    return this._noEvict ?? this.caller.noEvict;
  }
  set noEvict(v: boolean) {
    this._noEvict = v;
  }
  get blocked(): boolean {
    return this._blocked ?? this.caller.blocked;
  }
  set blocked(v: boolean) {
    this._blocked = v;
  }
  get execPushes(): Reply[] | null {
    return this._execPushes === undefined ? this.caller.execPushes : this._execPushes;
  }
  set execPushes(v: Reply[] | null) {
    this._execPushes = v;
  }
  get lastInteraction(): number {
    return this._lastInteraction ?? this.caller.lastInteraction;
  }
  set lastInteraction(v: number) {
    this._lastInteraction = v;
  }
  get tracking(): TrackingState | null {
    return this._tracking === undefined ? this.caller.tracking : this._tracking;
  }
  set tracking(v: TrackingState | null) {
    this._tracking = v;
  }
  get monitor(): boolean {
    return this._monitor ?? this.caller.monitor;
  }
  set monitor(v: boolean) {
    this._monitor = v;
  }
  get replica(): boolean {
    return this._replica ?? this.caller.replica;
  }
  set replica(v: boolean) {
    this._replica = v;
  }

  close(): void {
    this.caller.close();
  }
  bufferStats(): ReturnType<ClientState['bufferStats']> {
    return this.caller.bufferStats();
  }
  push(reply: Reply): boolean {
    return this.caller.push(reply);
  }
  deliver(msg: PubSubMessage): void {
    this.caller.deliver(msg);
  }
  deliverBatch(batch: PubSubBatch): void {
    const c = this.caller;
    if (c.deliverBatch !== undefined) c.deliverBatch(batch);
    else for (const m of batch.messages) c.deliver(m);
  }
}

/** The script view of `caller`, one per caller client, reset for a new run. */
const views = new WeakMap<ClientState, ScriptClient>();

export function scriptClient(caller: ClientState): ScriptClient {
  let v = views.get(caller);
  if (v === undefined) {
    v = new ScriptClient(caller);
    views.set(caller, v);
  }
  return v.reset();
}
