/**
 * Where configuration comes from, in order of precedence: command-line flags, CAIRN_*
 * environment variables, a config file (Redis syntax: `name value` per line, `#` comments),
 * then the schema's defaults. Every name is checked against the schema.
 */
import { readFileSync } from 'node:fs';
import { OPTION_BY_NAME, OPTIONS } from './schema.js';

export class ConfigError extends Error {}

export interface LoadedConfig {
  values: Record<string, string>;
  /** Which source supplied each value that is not a default (for the startup log). */
  sources: Record<string, 'flag' | 'env' | 'file'>;
  configFile: string | null;
}

/** Split a config-file line into words, honouring "double" and 'single' quotes. */
export function splitConfigLine(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (const m of line.matchAll(re)) {
    if (m[1] !== undefined) out.push(m[1].replace(/\\(.)/g, '$1'));
    else if (m[2] !== undefined) out.push(m[2]);
    else out.push(m[3]);
  }
  return out;
}

/** A multi-valued option keeps its line as written after the name (quotes are its own). */
function rawRest(line: string): string {
  return line.replace(/^\S+\s*/, '');
}

export function parseConfigFile(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [name, ...rest] = splitConfigLine(line);
    const key = name.toLowerCase();
    if (!OPTION_BY_NAME.has(key)) throw new ConfigError(`${file}:${i + 1}: unknown option '${name}'`);
    // `save` may repeat in Redis files: points accumulate; so do multi-valued options, a line each.
    if (key === 'save' && out.save) out[key] = `${out.save} ${rest.join(' ')}`;
    else if (OPTION_BY_NAME.get(key)?.multi && out[key] !== undefined)
      out[key] = `${out[key]}\n${rawRest(line)}`;
    else out[key] = OPTION_BY_NAME.get(key)?.multi ? rawRest(line) : rest.join(' ');
  });
  return out;
}

export function parseFlags(argv: readonly string[]): {
  values: Record<string, string>;
  configFile: string | null;
} {
  const values: Record<string, string> = {};
  let configFile: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      if (i === 0 && configFile === null) {
        configFile = arg;
        continue;
      }
      throw new ConfigError(`unexpected argument '${arg}'`);
    }
    const eq = arg.indexOf('=');
    const name = (eq > 0 ? arg.slice(2, eq) : arg.slice(2)).toLowerCase();
    let value: string;
    if (eq > 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i];
    else if (OPTION_BY_NAME.get(name)?.type === 'bool') value = 'yes';
    else throw new ConfigError(`option --${name} needs a value`);
    if (name === 'config') {
      configFile = value;
      continue;
    }
    if (!OPTION_BY_NAME.has(name)) throw new ConfigError(`unknown option --${name}`);
    values[name] =
      OPTION_BY_NAME.get(name)?.multi && values[name] !== undefined ? `${values[name]}\n${value}` : value;
  }
  return { values, configFile };
}

export function envName(option: string): string {
  return `CAIRN_${option.toUpperCase().replace(/-/g, '_')}`;
}

export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const flags = parseFlags(argv);
  const configFile = flags.configFile ?? env.CAIRN_CONFIG ?? null;
  const values: Record<string, string> = {};
  const sources: LoadedConfig['sources'] = {};
  if (configFile !== null) {
    let text: string;
    try {
      text = readFileSync(configFile, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${configFile}: ${(err as Error).message}`);
    }
    for (const [k, v] of Object.entries(parseConfigFile(text, configFile))) {
      values[k] = v;
      sources[k] = 'file';
    }
  }
  for (const o of OPTIONS) {
    const v = env[envName(o.name)];
    if (v !== undefined) {
      values[o.name] = v;
      sources[o.name] = 'env';
    }
  }
  for (const [k, v] of Object.entries(flags.values)) {
    values[k] = v;
    sources[k] = 'flag';
  }
  return { values, sources, configFile };
}

/** `cairn --help`: generated from the schema. */
export function helpText(): string {
  const lines = [
    'Usage: cairn [config-file] [--option value ...]',
    '',
    'Every option can also be set as CAIRN_<OPTION> in the environment (dashes become',
    'underscores) or as "option value" in the config file. Flags beat environment beats file.',
    '',
    'Options:',
  ];
  const inert: string[] = [];
  for (const o of OPTIONS) {
    if ('inert' in o && o.inert) {
      inert.push(o.name);
      continue;
    }
    const values = 'values' in o ? o.values : undefined;
    const extra = values !== undefined ? ` (${values.join('|')})` : '';
    lines.push(`  --${o.name.padEnd(28)} ${o.doc}${extra} [default: ${o.default === '' ? '""' : o.default}]`);
  }
  lines.push(
    '',
    'Accepted for Redis compatibility, no effect in Cairn (docs/configuration.md):',
    `  ${inert.join(' ')}`,
  );
  lines.push('', 'Subcommands:', '  cairn --version');
  return lines.join('\n');
}
