/**
 * One turn of the event loop on a RESP door: the commands that arrived on every readable socket
 * run back to back, then every reply is written.
 *
 * Node calls back once per readable socket, and the first version ran each socket's commands
 * and wrote its replies right there: read, run, write, read, run, write. Each of those system
 * calls leaves the caches and, on a kernel with page-table isolation and no PCID (common on
 * virtual machines), the whole TLB cold, so every command started cold: its parser, dispatcher,
 * keyspace and value code and data were fetched again, page walks included. Run together, the
 * commands of a turn share what the first one warmed. Measured with redis-benchmark at pipeline
 * 1 and 50 clients (docs/collections.md, "One turn of the event loop"): ZADD's server CPU per
 * request fell by a quarter, EVALSHA's by a quarter to a third; SET and GET, whose path is
 * short, stayed where they were.
 *
 * Redis writes replies in beforeSleep, after serving every readable socket of one epoll
 * iteration; this goes one step further and runs the commands there too, which Node allows at no
 * cost: a setImmediate callback runs right after the poll phase that delivered the bytes.
 */

/** A connection with input waiting for the turn to run it. */
export interface TurnMember {
  /** Run every complete buffered command; keep the replies. */
  runTurn(): void;
  /** Write the replies of the turn. */
  flushTurn(): void;
}

export class TurnBatch {
  private queue: TurnMember[] = [];
  private spare: TurnMember[] = [];
  private scheduled = false;

  /** Run `c` in this turn (the caller adds a connection once per turn). */
  add(c: TurnMember): void {
    this.queue.push(c);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  /** Run the turn now: every queued connection's commands, then their writes. */
  readonly run = (): void => {
    this.scheduled = false;
    // Swap first: input that arrives while this runs is queued for the next turn.
    const cs = this.queue;
    this.queue = this.spare;
    this.spare = cs;
    // Members isolate their own failures (a failing connection is dropped, the rest go on).
    for (let i = 0; i < cs.length; i++) cs[i].runTurn();
    for (let i = 0; i < cs.length; i++) cs[i].flushTurn();
    cs.length = 0;
  };
}
