/**
 * INFO [section ...]: Redis's text format (`# Title` headers, `field:value` lines, CRLF, a blank
 * line between sections). Sections come in Redis's fixed order whatever order they are asked
 * in; `default` (or no argument), `all` and `everything` select groups; unknown names add
 * nothing. Sections other layers register in `server.infoSections` are printed after the
 * built-in ones, or merged into the built-in section of the same name.
 */
import type { CommandContext, InfoSection, ServerApi } from '../context.js';
import { type Reply, VerbatimReply } from '../reply.js';
import { type CommandSpec, command } from '../spec.js';
import { BUILTIN_SECTIONS, type Fields } from './info-sections.js';

interface Selection {
  all: boolean;
  everything: boolean;
  defaults: boolean;
  named: Set<string>;
}

function select(args: readonly string[]): Selection {
  const sel: Selection = { all: false, everything: false, defaults: args.length === 0, named: new Set() };
  for (const a of args) {
    const name = a.toLowerCase();
    if (name === 'all') sel.all = true;
    else if (name === 'everything') sel.everything = true;
    else if (name === 'default') sel.defaults = true;
    else sel.named.add(name);
  }
  return sel;
}

/** Extra fields replace built-in ones of the same name and are otherwise appended. */
function merge(base: Fields, extra: InfoSection | undefined): Fields {
  if (extra === undefined) return base;
  const out = new Map(base);
  for (const [k, v] of extra()) out.set(k, v);
  return [...out];
}

function title(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

export function infoText(server: ServerApi, args: readonly string[]): string {
  const sel = select(args);
  const wanted = (name: string, inDefault: boolean) =>
    sel.all || sel.everything || (sel.defaults && inDefault) || sel.named.has(name);
  const parts: string[] = [];
  const emit = (heading: string, fields: Fields) => {
    let s = `# ${heading}\r\n`;
    for (const [k, v] of fields) s += `${k}:${v}\r\n`;
    parts.push(s);
  };
  for (const sec of BUILTIN_SECTIONS) {
    if (wanted(sec.name, sec.inDefault))
      emit(sec.title, merge(sec.build(server), server.infoSections.get(sec.name)));
  }
  const builtin = new Set(BUILTIN_SECTIONS.map((s) => s.name));
  for (const [name, build] of server.infoSections) {
    if (!builtin.has(name) && wanted(name.toLowerCase(), true)) emit(title(name), build());
  }
  return parts.join('\r\n');
}

function info(ctx: CommandContext, argv: Buffer[]): Reply {
  const args = argv.slice(1).map((a) => a.toString('utf8'));
  // RESP3 clients get a verbatim string (`=txt:`); RESP2 renders it as a bulk string.
  return new VerbatimReply('txt', infoText(ctx.server, args));
}

export const infoCommand: CommandSpec = command({
  name: 'info',
  group: 'server',
  arity: -1,
  flags: ['loading', 'stale', 'dangerous'],
  summary: 'Returns information and statistics about the server.',
  since: '1.0.0',
  complexity: 'O(1)',
  syntax: '[section [section ...]]',
  handler: info,
});
