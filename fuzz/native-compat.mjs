/**
 * Lets Jazzer.js's prebuilt libFuzzer addon load on an older glibc/libstdc++ (Debian 12: glibc
 * 2.36, GLIBCXX_3.4.30). The addon is built against glibc 2.38 and GCC 13, but of those versions
 * it only uses four symbols: `__isoc23_strtol` / `__isoc23_strtoul` (C23 strtol: the same but
 * for `0b` prefixes, which libFuzzer's flag parsing never sees) and `std::ios_base_library_init`
 * (GCC 13's iostream init hook). So, when the addon does not load as it is:
 *
 * 1. compile a tiny shim defining those symbols (also a valid N-API module, so that Node can
 *    dlopen it with RTLD_GLOBAL and its symbols serve libraries loaded after it);
 * 2. copy the addon and mark the version requirements the system lacks as weak (VER_FLG_WEAK in
 *    .gnu.version_r), so that the dynamic linker accepts the shim's unversioned definitions;
 * 3. redirect `process.dlopen` of the addon to the patched copy, loading the shim first.
 *
 * Everything is cached under os.tmpdir(); nothing in node_modules is changed. Load with
 * `node --import ./fuzz/native-compat.mjs`. A system that loads the addon as it is skips all this.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const SHIM_SOURCE = `#include <cstdlib>
#include <ios>
extern "C" {
long __isoc23_strtol(const char *s, char **e, int b) { return strtol(s, e, b); }
unsigned long __isoc23_strtoul(const char *s, char **e, int b) { return strtoul(s, e, b); }
long long __isoc23_strtoll(const char *s, char **e, int b) { return strtoll(s, e, b); }
unsigned long long __isoc23_strtoull(const char *s, char **e, int b) { return strtoull(s, e, b); }
void *napi_register_module_v1(void *env, void *exports) { (void)env; return exports; }
}
namespace std { void ios_base_library_init() { static ios_base::Init init; } }
`;
const SHT_GNU_VERNEED = 0x6ffffffe;
const VER_FLG_WEAK = 2;
const MAX_ROUNDS = 8;

function addonPath() {
  const pkg = require.resolve('@jazzer.js/fuzzer/package.json');
  return join(dirname(pkg), 'prebuilds', `fuzzer-${process.platform}-${process.arch}.node`);
}

/** Load `file` in a child Node (after `shim`, if given); the dynamic linker's complaint, or null. */
function loadError(file, shim) {
  const pre = shim
    ? `process.dlopen({exports:{}}, ${JSON.stringify(shim)}, ${constants.dlopen.RTLD_NOW | constants.dlopen.RTLD_GLOBAL});`
    : '';
  const r = spawnSync(process.execPath, ['-e', `${pre}require(${JSON.stringify(file)})`], {
    encoding: 'utf8',
  });
  return r.status === 0 ? null : r.stderr;
}

/** Set VER_FLG_WEAK on the version requirements named in `names` (an ELF64 little-endian file). */
function weakenVersions(buf, names) {
  const shoff = Number(buf.readBigUInt64LE(0x28));
  const shentsize = buf.readUInt16LE(0x3a);
  const shnum = buf.readUInt16LE(0x3c);
  const section = (i) => {
    const o = shoff + i * shentsize;
    return {
      type: buf.readUInt32LE(o + 4),
      offset: Number(buf.readBigUInt64LE(o + 24)),
      link: buf.readUInt32LE(o + 40),
      info: buf.readUInt32LE(o + 44),
    };
  };
  let changed = 0;
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (s.type !== SHT_GNU_VERNEED) continue;
    const strtab = section(s.link).offset;
    const str = (off) => {
      const start = strtab + off;
      return buf.toString('latin1', start, buf.indexOf(0, start));
    };
    let vn = s.offset;
    for (let n = 0; n < s.info; n++) {
      let aux = vn + buf.readUInt32LE(vn + 8);
      for (let k = buf.readUInt16LE(vn + 2); k > 0; k--) {
        if (names.has(str(buf.readUInt32LE(aux + 8)))) {
          buf.writeUInt16LE(buf.readUInt16LE(aux + 4) | VER_FLG_WEAK, aux + 4);
          changed++;
        }
        aux += buf.readUInt32LE(aux + 12);
      }
      vn += buf.readUInt32LE(vn + 12);
    }
  }
  return changed;
}

/** Build (or reuse) the shim and the patched addon; returns their paths. */
function prepare(original) {
  const digest = createHash('sha256').update(readFileSync(original)).update(SHIM_SOURCE).digest('hex');
  const dir = join(tmpdir(), `cairn-jazzer-compat-${digest.slice(0, 16)}`);
  const shim = join(dir, 'shim.node');
  const patched = join(dir, 'fuzzer.node');
  if (existsSync(shim) && existsSync(patched) && loadError(patched, shim) === null) return { shim, patched };
  mkdirSync(dir, { recursive: true });
  const src = join(dir, 'shim.cc');
  writeFileSync(src, SHIM_SOURCE);
  try {
    execFileSync('c++', ['-O2', '-shared', '-fPIC', '-o', `${shim}.tmp`, src], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`cannot build the compatibility shim (a C++ compiler is needed): ${e.stderr ?? e}`);
  }
  renameSync(`${shim}.tmp`, shim);
  copyFileSync(original, patched);
  const weak = new Set();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const err = loadError(patched, shim);
    if (err === null) return { shim, patched };
    const missing = [...err.matchAll(/version `([^']+)' not found/g)].map((m) => m[1]);
    const fresh = missing.filter((v) => !weak.has(v));
    if (fresh.length === 0) throw new Error(`the patched fuzzer addon still does not load:\n${err}`);
    for (const v of fresh) weak.add(v);
    const buf = readFileSync(patched);
    if (weakenVersions(buf, weak) === 0) throw new Error(`no version requirement to relax:\n${err}`);
    writeFileSync(patched, buf);
  }
  throw new Error('the fuzzer addon did not load after relaxing its version requirements');
}

const original = addonPath();
const firstError = loadError(original);
if (firstError !== null) {
  if (!/version `[^']+' not found/.test(firstError)) {
    throw new Error(`the Jazzer.js addon does not load, and not for a library version:\n${firstError}`);
  }
  const { shim, patched } = prepare(original);
  const dlopen = process.dlopen;
  let shimLoaded = false;
  process.dlopen = function patchedDlopen(module, filename, ...rest) {
    if (filename !== original) return dlopen.call(this, module, filename, ...rest);
    if (!shimLoaded) {
      dlopen.call(this, { exports: {} }, shim, constants.dlopen.RTLD_NOW | constants.dlopen.RTLD_GLOBAL);
      shimLoaded = true;
    }
    return dlopen.call(this, module, patched, ...rest);
  };
  if (process.env.CAIRN_FUZZ_DEBUG) process.stderr.write(`native-compat: using ${patched}\n`);
}
