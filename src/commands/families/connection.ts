import type { CommandSpec } from '../spec.js';

export const connectionCommands: readonly CommandSpec[] = [];
