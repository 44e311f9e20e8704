/** Script steps for strings, generic key commands and expiry (see script.ts). */
import { c, type Step, steps } from './step.js';

export const strings: Step[] = steps(`
  get s:missing
  set s:a 1
  set s:a 2
  set s:a 3 ex 100
  set s:a 4 keepttl
  set s:a 5 nx
  set s:b 5 nx
  set s:b 6 xx
  set s:c 6 xx
  set s:b 7 get
  set s:d 7 get px 100000
  setnx s:a 1
  setnx s:e 1
  setex s:f 100 v
  psetex s:g 100000 v
  getset s:a 9
  getset s:h 9
  getdel s:h
  getdel s:h
  getex s:a
  getex s:a ex 100
  getex s:a px 100000
  getex s:a exat 4000000000
  getex s:a pxat 4000000000000
  getex s:a persist
  getex s:a persist
  getex s:missing ex 10
  mget s:a s:missing s:b
  mset s:m1 1 s:m2 2 s:a 3
  msetnx s:m1 1 s:m3 3
  msetnx s:m4 1 s:m5 3
  append s:a xyz
  append s:ap xyz
  strlen s:a
  strlen s:missing
  getrange s:a 0 1
  substr s:a 0 1
  getrange s:missing 0 1
  setrange s:a 1 QQ
  setrange s:sr 3 abc
  setrange s:sr2 0 ""
  setrange s:a 0 ""
  incr s:n
  incr s:n
  decr s:n
  decr s:n2
  incrby s:n 10
  decrby s:n 3
  incrbyfloat s:n 1.5
  incrbyfloat s:nf 2.5
  incr s:a
  lcs s:a s:b
  hset s:wrong f v
  get s:wrong
  append s:wrong x
  incr s:wrong
  set s:wrong v
`);

export const generic: Step[] = steps(`
  set g:a 1
  set g:b 2
  set g:c 3
  del g:a g:missing g:b
  del g:missing
  unlink g:c
  set g:a 1
  exists g:a g:missing
  type g:a
  type g:missing
  touch g:a g:missing
  rename g:a g:r1
  rename g:r1 g:r1
  rename g:missing g:r2
  set g:b 2
  rename g:r1 g:b
  set g:c 3
  renamenx g:b g:c
  renamenx g:b g:d
  copy g:d g:e
  copy g:d g:e
  copy g:d g:e replace
  copy g:missing g:f
  copy g:d g:e db 1
  set g:m 1
  move g:m 1
  move g:m 1
  move g:missing 1
  select 1
  set g:db1 x
  get g:db1miss
  del g:m g:e
  rename g:db1 g:db1b
  select 0
  rpush g:l a b
  rename g:l g:l2
  copy g:l2 g:l3
  hset g:h f v
  sadd g:s a
  zadd g:z 1 a
  copy g:h g:h2
  copy g:s g:s2
  copy g:z g:z2
  object encoding g:z2
  object encoding g:missing
  object freq g:missing
  dbsize
  randomkey
  scan 0 count 1000
  keys g:*
  select 2
  set g:2a 1
  swapdb 2 3
  select 3
  del g:2a
  flushdb
  select 0
  set g:fa 1
  flushall
`);

export const expiry: Step[] = steps(`
  set x:a 1
  expire x:a 100
  pexpire x:a 100000
  expireat x:a 4000000000
  pexpireat x:a 4000000000000
  expire x:a 100 nx
  expire x:a 200 xx
  expire x:a 50 gt
  expire x:a 50 lt
  ttl x:a
  pttl x:a
  expiretime x:a
  pexpiretime x:a
  ttl x:missing
  pttl x:missing
  expiretime x:missing
  persist x:a
  persist x:a
  persist x:missing
  expire x:missing 10
  set x:b 1
  expire x:b -1
  set x:c 1
  pexpire x:c 0
  set x:d 1
  expireat x:d 1
  set x:e 1
  pexpireat x:e 1
  set x:f 1 ex 100
  getex x:f pxat 1
  hset x:h f v
  expire x:h -1
  expire x:h 10
  expire x:a notanumber
  expire x:a 10 nx xx
`);

/** Expiry that is seen to happen: lazily (on access) and by the background cycle. */
export const expiring: Step[] = [
  { group: [c('set x:la 1 pxat 1'), c('get x:la')] },
  { group: [c('set x:lb 1 px 100000'), c('pexpireat x:lb 1')] },
  { group: [c('rpush x:lc a'), c('pexpireat x:lc 2'), c('llen x:lc')] },
  { group: [c('set x:ld 1 exat 1'), c('exists x:ld')] },
  { group: [c('set x:le 1 pxat 1'), c('set x:le 2')] },
  { group: [c('set x:lf 1 pxat 1'), c('incr x:lf')] },
  c('set x:aa 1 px 30'),
  { expired: 'x:aa' },
  c('hset x:ab f v'),
  c('pexpire x:ab 30'),
  { expired: 'x:ab' },
  c('zadd x:ac 1 a'),
  c('pexpire x:ac 20'),
  { expired: 'x:ac' },
];

/**
 * Keys whose time passed while the background cycle is off, then touched by a command: the
 * command's lookup removes each (`expired`) before it does its own work. PEXPIRE gets 30 ms, not
 * 1: Redis reads the clock twice in EXPIRE (base time, then the already-expired check), so a
 * 1 ms TTL is a `del` whenever the clock ticks between the two, which a loaded machine makes
 * likely.
 */
export const lazy: Step[] = [
  c('debug set-active-expire 0'),
  ...steps(`
    set lz:a 1 px 1
    set lz:b 1 px 1
    set lz:c 1 px 1
    set lz:d 1 px 1
    hset lz:h f v
    pexpire lz:h 30
    rpush lz:l a b
    pexpire lz:l 30
    sadd lz:s a
    pexpire lz:s 30
    zadd lz:z 1 a
    pexpire lz:z 30
    set lz:e 1 px 1
    set lz:f 1 px 1
    set lz:g 1 px 1
  `),
  { pause: 40 },
  ...steps(`
    get lz:a
    set lz:b 2
    del lz:c
    incr lz:d
    hset lz:h f2 v
    lpop lz:l
    sadd lz:s b
    zscore lz:z a
    exists lz:e
    expire lz:f 100
    rename lz:g lz:g2
  `),
  c('debug set-active-expire 1'),
];
