/** Fan-out of the engine's single change-listener slot to every subscriber. */
import type { KeyspaceEvents } from '../commands/context.js';
import type { ChangeKind, ChangeListener, Keyspace } from '../engine/types.js';

export class EventHub implements KeyspaceEvents {
  private listeners: ChangeListener[] = [];

  constructor(keyspace: Keyspace) {
    keyspace.setChangeListener((db, key, kind) => this.emit(db, key, kind));
  }

  private emit(db: number, key: Buffer | null, kind: ChangeKind): void {
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) ls[i](db, key, kind);
  }

  subscribe(listener: ChangeListener): () => void {
    // Copy-on-write so an unsubscribe during emit cannot skip a listener.
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }
}
