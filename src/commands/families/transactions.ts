import type { CommandSpec } from '../spec.js';

export const transactionCommands: readonly CommandSpec[] = [];
