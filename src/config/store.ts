/**
 * The live configuration: values from the schema's defaults, overridden by file, environment
 * and flags at start, and by CONFIG SET at run time (mutable options only). Readers use the
 * typed getters; listeners hear about run-time changes.
 */
import { globMatch } from '../util/glob.js';
import { ENCODING_ALIASES, normalise, OPTION_BY_NAME, OPTIONS, type OptionName } from './schema.js';

export type ConfigListener = (name: OptionName, value: string) => void;

export class ConfigStore {
  private readonly values = new Map<string, string>();
  /** Numeric values parsed once per change: some are read on every command (maxmemory). */
  private readonly numbers = new Map<string, number>();
  private readonly listeners = new Set<ConfigListener>();
  /** The config file the server started from (absolute), which CONFIG REWRITE writes back. */
  file: string | null = null;

  constructor(initial: Record<string, string> = {}) {
    for (const o of OPTIONS) this.store(o.name, o.default);
    for (const [k, v] of Object.entries(initial)) {
      const err = this.apply(k, v, false);
      if (err !== null) throw new Error(`config ${k}: ${err}`);
    }
  }

  /** Canonical string value. */
  get(name: OptionName): string {
    return this.values.get(name)!;
  }

  int(name: OptionName): number {
    return this.numbers.get(name)!;
  }

  private store(name: string, value: string, number = Number(value)): void {
    this.values.set(name, value);
    this.numbers.set(name, number);
  }

  bool(name: OptionName): boolean {
    return this.values.get(name) === 'yes';
  }

  /** Options whose name matches a glob (case-insensitive), as [name, value]. */
  match(pattern: string): Array<[string, string]> {
    const p = Buffer.from(pattern.toLowerCase());
    const out: Array<[string, string]> = [];
    for (const [k, v] of this.values) {
      if (OPTION_BY_NAME.get(k)?.hidden) continue;
      if (globMatch(p, Buffer.from(k))) out.push([k, v]);
    }
    // Redis answers to the older names of renamed options too.
    for (const [alias, name] of Object.entries(ENCODING_ALIASES)) {
      const v = this.values.get(name);
      if (v !== undefined && globMatch(p, Buffer.from(alias))) out.push([alias, v]);
    }
    return out;
  }

  /**
   * Change an option at run time. Returns null on success or an error text (without prefix).
   * `runtime` refuses immutable options, as CONFIG SET does.
   */
  apply(name: string, raw: string, runtime = true): string | null {
    const spec = OPTION_BY_NAME.get(name.toLowerCase());
    if (spec === undefined) return `Unknown option or number of arguments for CONFIG SET - '${name}'`;
    if (runtime && !spec.mutable) return `can't set immutable config`;
    const r = normalise(spec, raw);
    if ('error' in r) return r.error;
    this.store(spec.name, r.value, r.number);
    if (runtime) for (const l of this.listeners) l(spec.name as OptionName, r.value);
    return null;
  }

  onChange(l: ConfigListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}
