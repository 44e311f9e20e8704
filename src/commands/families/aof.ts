/**
 * BGREWRITEAOF. Cairn keeps no append-only file: its persistence is complete snapshots (see
 * docs/persistence.md), which never grow a log that would need compacting. The command answers
 * as Redis does when a rewrite starts, so tools and scripts that call it keep working, and
 * does nothing; INFO persistence keeps reporting aof_enabled:0 and aof_rewrite_in_progress:0.
 */
import type { CommandContext } from '../context.js';
import { type Reply, SimpleReply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';

const STARTED = new SimpleReply('Background append only file rewriting started');

function bgrewriteaof(_ctx: CommandContext): Reply {
  return STARTED;
}

export const aofCommands: readonly CommandSpec[] = [
  command({
    group: 'server',
    name: 'bgrewriteaof',
    arity: 1,
    flags: ['admin', 'no-script'],
    summary: 'Asynchronously rewrites the append-only file to disk.',
    since: '1.0.0',
    complexity: 'O(1)',
    syntax: '',
    handler: bgrewriteaof,
  }),
];
