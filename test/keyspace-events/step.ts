/** Steps of the keyspace-notification script (script.ts) and the helpers that write them. */

export type Command = readonly string[];

export type Step =
  | Command
  /** Several commands; their notifications are compared together. */
  | { group: readonly Command[] }
  /** Send on the second client and wait until the server counts it as blocked. */
  | { block: Command }
  /** Wait for the second client's reply (a blocked command served or timed out). */
  | { unblocked: true }
  /** Wait for the `expired` notification of this key (when the flags publish it). */
  | { expired: string }
  /** Wait until the server's clock (TIME) has moved on this many milliseconds. */
  | { pause: number };

export function isCommand(step: Step): step is Command {
  return Array.isArray(step);
}

/** Words split on spaces; `""` is an empty argument. */
export const c = (line: string): Command => line.split(' ').map((w) => (w === '""' ? '' : w));
export const steps = (lines: string): Step[] =>
  lines
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map(c);
