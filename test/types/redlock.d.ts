/**
 * redlock 5's package.json has an `exports` map without `types`, so NodeNext resolution finds no
 * declarations; these are the parts the tests use, as its dist/index.d.ts declares them.
 */
declare module 'redlock' {
  import type { Redis } from 'ioredis';

  export class ExecutionError extends Error {}
  export interface Lock {
    readonly value: string;
    extend(duration: number): Promise<Lock>;
    release(): Promise<unknown>;
  }
  export default class Redlock {
    constructor(clients: Iterable<Redis>, settings?: Partial<{ retryCount: number; retryDelay: number }>);
    acquire(resources: string[], duration: number): Promise<Lock>;
  }
}
