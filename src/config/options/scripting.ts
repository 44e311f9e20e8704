/**
 * Lua scripting options (src/scripting/); concatenated into OPTIONS by ../schema.ts.
 * `lua-time-limit` is Redis's older name for busy-reply-threshold (SCRIPTING_ALIASES).
 */
import type { OptionSpec } from '../schema.js';

const MB = 1024 * 1024;

export const SCRIPTING_OPTIONS = [
  {
    name: 'busy-reply-threshold',
    type: 'int',
    default: '5000',
    min: 0,
    max: 2_147_483_647,
    mutable: true,
    doc: 'Milliseconds a script or function may run before other clients get BUSY and SCRIPT KILL / FUNCTION KILL may stop it (0: never)',
  },
  {
    name: 'lua-max-memory',
    type: 'bytes',
    default: String(256 * MB),
    min: 4 * MB,
    max: 2048 * MB - 1,
    mutable: true,
    doc: 'Memory the Lua VM (scripts, functions and their data) may hold; an allocation past it fails with "not enough memory"',
  },
] as const satisfies readonly OptionSpec[];

/** Older names Redis still accepts, to the current ones. */
export const SCRIPTING_ALIASES: Readonly<Record<string, string>> = {
  'lua-time-limit': 'busy-reply-threshold',
};
