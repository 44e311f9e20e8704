/**
 * The Lua side of the sandbox, run once in each new state with the full standard library in
 * reach; scripts only ever see what it builds. It takes the host functions (the `redis` API
 * implemented in JS, cjson, cmsgpack, struct, the PRNG) and returns the table the engine
 * drives the state with.
 *
 * What scripts see, as in Redis 7.0:
 * - globals: the Lua 5.1 base functions Redis keeps (no print, dofile, loadfile, require, os,
 *   io, debug, setfenv/getfenv, newproxy), the libraries string, table, math, coroutine, bit,
 *   cjson, cmsgpack, struct, and `redis`;
 * - reading a missing global raises "Script attempted to access nonexistent global variable",
 *   and every table reachable from the globals is read-only ("Attempt to modify a readonly
 *   table"): the globals, the libraries and `redis` are empty proxies over the real tables, and
 *   rawset/rawget/setmetatable see through them;
 * - what Lua 5.1 scripts use and 5.4 dropped: unpack, loadstring, table.getn/maxn, math.mod,
 *   math.pow, math.log10, math.ldexp, math.frexp, hyperbolic functions, string.gfind, gcinfo,
 *   and string.format's %d of a non-integer number (5.1 truncates);
 * - math.random / math.randomseed on Redis's rand48 sequence (one per server).
 *
 * Errors reach the engine as Redis 7 builds them: a table {err=..., source=..., line=...}
 * made by the message handler from the frame that raised it.
 */
export const PRELUDE = String.raw`
local host, functionMode = ...
-- Sandbox functions that raise errors run behind a C trampoline (see lua-context.ts), so the
-- script's frame survives a tail call: their error levels count the trampoline (3 = the script).
local C = host.trampoline
host.cjson.null = host.cjson.__null()
host.cjson.__null = nil
local G = _G
local getinfo = debug.getinfo
local r_rawset, r_rawget, r_setmetatable, r_getmetatable = rawset, rawget, setmetatable, getmetatable
local r_type, r_error, r_tostring, r_next, r_select = type, error, tostring, next, select
local r_pcall, r_xpcall, r_load = pcall, xpcall, load
local pack, unpack = table.pack, table.unpack
local floor = math.floor
local INTERNAL = '=cairn'

local READONLY = 'Attempt to modify a readonly table'
local proxies = r_setmetatable({}, {__mode = 'k'})
local function denyWrite() r_error(READONLY, 2) end

local function protect(real)
  local proxy = {}
  r_setmetatable(proxy, {
    __index = real,
    __newindex = denyWrite,
    __pairs = function() return r_next, real, nil end,
    __len = function() return #real end,
    __metatable = false,
  })
  proxies[proxy] = real
  return proxy
end

-- The 5.1 compatibility layer.
local string51 = {}
for k, v in r_next, string do string51[k] = v end
string51.gfind = string.gmatch
local s_format = string.format
local function truncated(fmt, ...)
  local args = pack(...)
  local i = 0
  for spec in fmt:gmatch('%%[-+ #0]*%d*%.?%d*(%a)') do
    i = i + 1
    local v = args[i]
    if (spec == 'd' or spec == 'i' or spec == 'x' or spec == 'X' or spec == 'o' or spec == 'c')
      and r_type(v) == 'number' and v == v and v ~= 1/0 and v ~= -1/0 then
      args[i] = v >= 0 and floor(v) or -floor(-v)
    end
  end
  return s_format(fmt, unpack(args, 1, args.n))
end
string51.format = C(function(fmt, ...)
  local ok, res = r_pcall(s_format, fmt, ...)
  if ok then return res end
  if r_type(res) == 'string' and res:find('no integer representation', 1, true) then
    return truncated(fmt, ...)
  end
  r_error(res, 3)
end)

local table51 = {}
for k, v in r_next, table do table51[k] = v end
table51.getn = function(t) return #t end
table51.setn = C(function() r_error("'setn' is obsolete", 3) end)
table51.maxn = function(t)
  local max = 0
  for k in r_next, t do
    if r_type(k) == 'number' and k > max then max = k end
  end
  return max
end

local math51 = {}
for k, v in r_next, math do math51[k] = v end
local exp, log = math.exp, math.log
math51.mod = math.fmod
math51.pow = function(x, y) return x ^ y end
math51.log10 = function(x) return log(x, 10) end
math51.log = function(x) return log(x) end
math51.ldexp = function(m, e) return m * 2.0 ^ e end
math51.frexp = function(x)
  if x == 0 or x ~= x or x == 1/0 or x == -1/0 then return x, 0 end
  local e = floor(log(x < 0 and -x or x, 2)) + 1
  local m = x / 2.0 ^ e
  if m >= 1 or m <= -1 then m = m / 2; e = e + 1 elseif m < 0.5 and m > -0.5 then m = m * 2; e = e - 1 end
  return m, e
end
math51.cosh = function(x) return (exp(x) + exp(-x)) / 2 end
math51.sinh = function(x) return (exp(x) - exp(-x)) / 2 end
math51.tanh = function(x) local a, b = exp(x), exp(-x) return (a - b) / (a + b) end
math51.atan2 = function(y, x) return math.atan(y, x) end
math51.tointeger, math51.ult, math51.maxinteger, math51.mininteger = nil, nil, nil, nil

-- Redis's math.random: rand48 shared by every script of the server, as Redis's is.
local rand48, srand48 = host.rand48, host.srand48
local RAND_MAX = 2147483647
local function checkint(v, n)
  local x = tonumber(v)
  if x == nil then
    r_error("bad argument #" .. n .. " to 'random' (number expected, got " ..
      (v == nil and 'no value' or r_type(v)) .. ")", 4)
  end
  return x >= 0 and floor(x) or -floor(-x)
end
math51.random = C(function(...)
  local n = r_select('#', ...)
  local r = (rand48() % RAND_MAX) / RAND_MAX
  if n == 0 then return r end
  local a, b = ...
  if n == 1 then
    local u = checkint(a, 1)
    if u < 1 then r_error("bad argument #1 to 'random' (interval is empty)", 3) end
    return floor(r * u) + 1
  elseif n == 2 then
    local l, u = checkint(a, 1), checkint(b, 2)
    if l > u then r_error("bad argument #2 to 'random' (interval is empty)", 3) end
    return floor(r * (u - l + 1)) + l
  end
  r_error('wrong number of arguments', 3)
end)
math51.randomseed = C(function(seed)
  local x = tonumber(seed)
  if x == nil then
    r_error("bad argument #1 to 'randomseed' (number expected, got " ..
      (seed == nil and 'no value' or r_type(seed)) .. ")", 3)
  end
  srand48(x >= 0 and floor(x) or -floor(-x))
end)

-- LuaBitOp (the bit library Redis ships): 32-bit operations on numbers, signed results.
local s_pack, s_unpack = string.pack, string.unpack
local function barg(v, n, name)
  local x = tonumber(v)
  if x == nil then
    r_error("bad argument #" .. n .. " to '" .. name .. "' (number expected, got " ..
      (v == nil and 'no value' or r_type(v)) .. ")", 4)
  end
  -- LuaBitOp's conversion: the low word of x + 2^52 + 2^51 (rounds, wraps modulo 2^32).
  return (s_unpack('<i4', s_pack('<d', x + 6755399441055744.0)))
end
local function signed(u)
  u = u & 0xffffffff
  if u >= 0x80000000 then return u - 0x100000000 end
  return u
end
local function fold(name, op)
  return function(...)
    local n = r_select('#', ...)
    local r = barg((...), 1, name)
    for i = 2, n do r = op(r, barg((r_select(i, ...)), i, name)) end
    return signed(r)
  end
end
local bit = {
  tobit = function(x) return barg(x, 1, 'tobit') end,
  bnot = function(x) return signed(~barg(x, 1, 'bnot')) end,
  band = fold('band', function(a, b) return a & b end),
  bor = fold('bor', function(a, b) return a | b end),
  bxor = fold('bxor', function(a, b) return a ~ b end),
  lshift = function(x, n) return signed(barg(x, 1, 'lshift') << (barg(n, 2, 'lshift') & 31)) end,
  rshift = function(x, n) return signed((barg(x, 1, 'rshift') & 0xffffffff) >> (barg(n, 2, 'rshift') & 31)) end,
  arshift = function(x, n) return signed(barg(x, 1, 'arshift') // (1 << (barg(n, 2, 'arshift') & 31))) end,
  rol = function(x, n)
    local u, k = barg(x, 1, 'rol') & 0xffffffff, barg(n, 2, 'rol') & 31
    return signed((u << k) | (u >> (32 - k)))
  end,
  ror = function(x, n)
    local u, k = barg(x, 1, 'ror') & 0xffffffff, barg(n, 2, 'ror') & 31
    return signed((u >> k) | (u << (32 - k)))
  end,
  bswap = function(x)
    local u = barg(x, 1, 'bswap') & 0xffffffff
    return signed(((u & 0xff) << 24) | ((u & 0xff00) << 8) | ((u >> 8) & 0xff00) | (u >> 24))
  end,
  tohex = function(x, n)
    local u = barg(x, 1, 'tohex') & 0xffffffff
    local digits = n == nil and 8 or barg(n, 2, 'tohex')
    local upper = digits < 0
    if upper then digits = -digits end
    if digits > 8 then digits = 8 end
    local h = s_format(upper and '%08X' or '%08x', u)
    return h:sub(9 - digits)
  end,
}
for k, f in r_next, bit do bit[k] = C(f) end

-- The redis API (the host functions do the work).
local redis = {
  call = host.call, pcall = host.pcall, sha1hex = host.sha1hex, log = host.log,
  setresp = host.setresp, set_repl = host.set_repl, acl_check_cmd = host.acl_check_cmd,
  LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
  REPL_NONE = 0, REPL_AOF = 1, REPL_SLAVE = 2, REPL_REPLICA = 2, REPL_ALL = 3,
  REDIS_VERSION = host.version, REDIS_VERSION_NUM = host.versionNum,
}
redis.error_reply = function(e)
  if r_select('#', e) ~= 1 or r_type(e) ~= 'string' then
    return {err = 'ERR wrong number or type of arguments'}
  end
  if e:sub(1, 1) == '-' then e = e:sub(2) end
  local sp = e:find(' ', 1, true)
  if sp == nil then e = 'ERR ' .. e end
  return {err = (e:gsub('[\r\n]+$', ''))}
end
redis.status_reply = function(s)
  if r_select('#', s) ~= 1 or r_type(s) ~= 'string' then
    return {err = 'ERR wrong number or type of arguments'}
  end
  return {ok = s}
end
if not functionMode then
  redis.replicate_commands = function() return true end
  redis.breakpoint = function() return false end
  redis.debug = function() end
end

-- Globals: a base table behind a read-only proxy. Reading a missing name is an error.
local base = {}
local env = {}
local envMeta = {
  __index = base,
  __newindex = denyWrite,
  __pairs = function() return r_next, base, nil end,
  __metatable = false,
}
r_setmetatable(env, envMeta)
proxies[env] = base
local function missing(_, k)
  r_error("Script attempted to access nonexistent global variable '" .. r_tostring(k) .. "'", 2)
end
r_setmetatable(base, {__index = missing})
-- getmetatable(_G) shows Redis's error metatable, itself read-only.
local envMetaView = protect({__index = missing})

local function wrapPcall(f, ...)
  local r = pack(r_pcall(f, ...))
  if not r[1] and r_type(r[2]) == 'table' and r_type(r_rawget(r[2], 'err')) == 'string' then
    r[2] = r_rawget(r[2], 'err')
  end
  return unpack(r, 1, r.n)
end

local globals = {
  assert = assert, collectgarbage = collectgarbage, error = error, getmetatable = function(t)
    if t == env then return envMetaView end
    if proxies[t] ~= nil then return nil end
    return r_getmetatable(t)
  end,
  ipairs = ipairs, next = function(t, k)
    local real = proxies[t]
    return r_next(real or t, k)
  end,
  pairs = pairs, pcall = wrapPcall, rawequal = rawequal,
  rawget = function(t, k) return r_rawget(proxies[t] or t, k) end,
  rawset = C(function(t, k, v)
    if proxies[t] ~= nil then r_error(READONLY, 0) end
    return r_rawset(t, k, v)
  end),
  select = select,
  setmetatable = C(function(t, mt)
    if proxies[t] ~= nil then r_error(READONLY, 0) end
    return r_setmetatable(t, mt)
  end),
  tonumber = tonumber, type = type, unpack = unpack, xpcall = xpcall,
  -- 5.1 prints every number as %.14g ("5", not 5.4's "5.0").
  tostring = function(v)
    if math.type(v) then return s_format('%.14g', v) end
    return r_tostring(v)
  end,
  _VERSION = 'Lua 5.1',
  gcinfo = function() return floor(collectgarbage('count')) end,
  loadstring = function(s, name)
    return r_load(s, name, 't', env)
  end,
  load = function(chunk, name, _, _)
    return r_load(chunk, name, 't', env)
  end,
  coroutine = protect(coroutine),
  string = protect(string51),
  table = protect(table51),
  math = protect(math51),
  redis = protect(redis),
  bit = protect(bit),
  cjson = protect(host.cjson),
  cmsgpack = protect(host.cmsgpack),
  struct = protect(host.struct),
}
globals._G = env
for k, v in r_next, globals do r_rawset(base, k, v) end
-- Strings index the protected string library (("x"):upper() and getmetatable('').__index).
local strMeta = r_getmetatable('')
strMeta.__index = globals.string
strMeta.__metatable = r_setmetatable({}, {__index = {__index = globals.string}, __newindex = denyWrite})

-- Errors as Redis 7 shapes them: {err='ERR <position>: <message>', source=..., line=...}, taken
-- from the frame that raised it (the caller, when that is a C function). Frames of this file
-- are transparent.
local function frames(level)
  local out = {}
  while true do
    local i = getinfo(level + 1, 'Sl')
    if i == nil then return out end
    if i.source ~= INTERNAL then out[#out + 1] = i end
    level = level + 1
  end
end
local function handler(err)
  -- Redis takes the frame that raised the error, or its caller when that is a C function; with
  -- this file's frames and trampolines (C) in between, that is the first script frame.
  local i
  for _, fr in ipairs(frames(2)) do
    if fr.what ~= 'C' then i = fr break end
  end
  if r_type(err) ~= 'table' then err = {err = 'ERR ' .. r_tostring(err)} end
  if i and i.what ~= 'C' then
    r_rawset(err, 'source', i.source)
    r_rawset(err, 'line', i.currentline)
  end
  return err
end

local api = {}
function api.compile(code, name)
  return r_load(code, name, 't', env)
end
-- The body of every run's coroutine: the script with the message handler.
function api.run(f, ...)
  return r_xpcall(f, handler, ...)
end
-- EVAL's KEYS and ARGV are globals of the run.
function api.setArgs(keys, argv)
  r_rawset(base, 'KEYS', keys)
  r_rawset(base, 'ARGV', argv)
end
-- Where a suspended coroutine is (for SCRIPT KILL's reply).
function api.where(co)
  local i = getinfo(co, 0, 'Sl')
  if i == nil or i.what == 'C' then i = getinfo(co, 1, 'Sl') end
  if i == nil then return nil end
  return i.source, i.currentline
end
api.handler = handler
api.base = base

if functionMode then
  -- While a library loads, its code sees only redis.register_function, redis.log and the
  -- version fields; functions run with the full globals.
  local loadRedis = {
    register_function = host.register_function, log = host.log,
    LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
    REDIS_VERSION = host.version, REDIS_VERSION_NUM = host.versionNum,
  }
  r_setmetatable(loadRedis, {__index = missing})
  local loadBase = r_setmetatable({redis = protect(loadRedis)}, {__index = missing})
  function api.loading(on)
    envMeta.__index = on and loadBase or base
  end
end

return api
`;
