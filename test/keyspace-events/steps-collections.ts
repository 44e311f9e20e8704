/** Script steps for hashes, lists, sets, sorted sets, blocked clients and MULTI/EXEC (see script.ts). */
import { c, type Step, steps } from './step.js';

export const hash: Step[] = steps(`
  hget h:missing f
  hset h:a f1 v1
  hset h:a f1 v1
  hset h:a f2 v2 f3 v3
  hsetnx h:a f1 x
  hsetnx h:a f4 v4
  hsetnx h:b f v
  hmset h:a f5 v5
  hmset h:c f v
  hget h:a f1
  hmget h:a f1 nope
  hmget h:missing f1
  hgetall h:a
  hgetall h:missing
  hlen h:a
  hexists h:a f1
  hkeys h:a
  hvals h:a
  hstrlen h:a f1
  hrandfield h:a
  hrandfield h:missing
  hscan h:a 0
  hdel h:a nope
  hdel h:a f1 f2 nope
  hincrby h:a n 5
  hincrby h:new n 5
  hincrby h:a f3 1
  hincrbyfloat h:a fl 1.5
  hincrbyfloat h:new2 fl 1.5
  hdel h:b f
  hdel h:missing f
  hdel h:c f
  hset h:a
  set h:str v
  hset h:str f v
  hget h:str f
`);

export const list: Step[] = steps(`
  lrange l:missing 0 -1
  lpush l:a a b c
  rpush l:a d e f
  lpushx l:a x
  rpushx l:a y
  lpushx l:missing x
  rpushx l:missing x
  llen l:a
  lrange l:a 0 -1
  lindex l:a 0
  lpos l:a d
  lset l:a 0 z
  lset l:missing 0 z
  linsert l:a before d D
  linsert l:a after nope X
  linsert l:missing before a b
  lrem l:a 0 nope
  lrem l:a 1 D
  ltrim l:a 1 -2
  ltrim l:a 0 -1
  lpop l:a
  rpop l:a
  lpop l:a 2
  rpop l:a 0
  lpop l:missing
  rpush l:b a
  lpop l:b
  rpush l:b a b
  rpop l:b 5
  rpush l:c a
  lrem l:c 0 a
  rpush l:d a b
  ltrim l:d 5 10
  rpush l:e a b c
  lmove l:e l:f left right
  lmove l:e l:f right left
  lmove l:e l:e left right
  lmove l:e l:f left left
  lmove l:missing l:f left left
  rpoplpush l:f l:g
  rpoplpush l:g l:g
  rpush l:h a b c
  lmpop 2 l:missing l:h left
  lmpop 1 l:h right count 5
  rpush l:i a
  lmove l:i l:i right left
  blpop l:i 1
  blpop l:i 0.01
  rpush l:j a b
  brpop l:j 1
  blmove l:j l:k left right 1
  brpoplpush l:k l:j 1
  blmpop 1 2 l:missing l:j left count 3
  set l:str v
  lpush l:str a
  lpop l:str
`);

export const set: Step[] = steps(`
  smembers st:missing
  sadd st:a a b c
  sadd st:a a
  sadd st:a d
  srem st:a nope
  srem st:a a nope
  scard st:a
  sismember st:a b
  smismember st:a b z
  smembers st:a
  sscan st:a 0
  srandmember st:a
  srandmember st:a 2
  sadd st:b b c x
  sinter st:a st:b
  sintercard 2 st:a st:b
  sunion st:a st:b
  sdiff st:a st:b
  sinterstore st:i st:a st:b
  sinterstore st:i st:a st:b
  sinterstore st:i st:a st:missing
  sinterstore st:i2 st:a st:missing
  sunionstore st:u st:a st:b
  sunionstore st:u st:missing
  sdiffstore st:d st:a st:b
  sdiffstore st:d st:a st:a
  smove st:a st:c b
  smove st:a st:c nope
  smove st:a st:a c
  smove st:a st:b d
  smove st:missing st:b d
  sadd st:e 1 2 3
  spop st:e
  spop st:e 1
  spop st:e 5
  sadd st:f 1 2 3 4 5
  spop st:f 2
  spop st:f 0
  sadd st:k 1 2 3 4 5 6 7 8
  spop st:k 7
  spop st:missing
  sadd st:g only
  srem st:g only
  sadd st:h x
  smove st:h st:i2 x
  set st:str v
  sadd st:str a
  sinterstore st:str st:b
`);

export const zset: Step[] = steps(`
  zrange z:missing 0 -1
  zadd z:a 1 a 2 b 3 c
  zadd z:a 1 a
  zadd z:a 5 a
  zadd z:a nx 9 a
  zadd z:a nx 4 d
  zadd z:a xx 9 nope
  zadd z:a xx ch 6 a
  zadd z:a gt 1 a
  zadd z:a lt 1 a
  zadd z:a incr 1 a
  zadd z:a nx incr 1 a
  zadd z:b incr 1 a
  zincrby z:a 2 b
  zincrby z:c 2 b
  zscore z:a a
  zmscore z:a a nope
  zcard z:a
  zrank z:a a
  zrevrank z:a a
  zcount z:a -inf +inf
  zlexcount z:a - +
  zrange z:a 0 -1 withscores
  zrangebyscore z:a -inf +inf
  zrevrangebyscore z:a +inf -inf
  zrangebylex z:a - +
  zrevrangebylex z:a + -
  zrevrange z:a 0 -1
  zrandmember z:a
  zscan z:a 0
  zrem z:a nope
  zrem z:a a nope
  zadd z:r 1 a 2 b 3 c 4 d 5 e 6 f
  zremrangebyrank z:r 0 0
  zremrangebyrank z:r 10 20
  zremrangebyscore z:r 2 3
  zremrangebyscore z:r 100 200
  zremrangebylex z:r [d [e
  zremrangebylex z:r [x [y
  zremrangebyrank z:r 0 -1
  zadd z:p 1 a 2 b 3 c 4 d
  zpopmin z:p
  zpopmax z:p
  zpopmin z:p 0
  zpopmin z:missing
  zpopmax z:p 5
  zadd z:m 1 a 2 b
  zmpop 2 z:missing z:m min
  zmpop 1 z:m max count 3
  zadd z:bz 1 a 2 b
  bzpopmin z:bz 1
  bzpopmax z:bz 1
  bzpopmin z:bz 0.01
  zadd z:bz 1 a
  bzmpop 1 1 z:bz min
  zadd z:s1 1 a 2 b 3 c
  zadd z:s2 1 b 5 d
  zunion 2 z:s1 z:s2
  zinter 2 z:s1 z:s2
  zdiff 2 z:s1 z:s2
  zintercard 2 z:s1 z:s2
  zunionstore z:u 2 z:s1 z:s2
  zunionstore z:u 2 z:s1 z:s2 weights 2 3
  zinterstore z:i 2 z:s1 z:s2
  zinterstore z:i 2 z:s1 z:missing
  zinterstore z:i2 2 z:s1 z:missing
  zdiffstore z:d 2 z:s1 z:s2
  zdiffstore z:d 2 z:s1 z:s1
  zrangestore z:rs z:s1 0 1
  zrangestore z:rs z:s1 5 10
  zrangestore z:rs2 z:missing 0 -1
  zrangestore z:rs3 z:s1 0 -1 byscore rev
  set z:str v
  zadd z:str 1 a
  zunionstore z:str 1 z:s1
`);

/** A client blocked on a key, served by another client's write (Redis's handleClientsBlockedOnKeys). */
export const blocking: Step[] = [
  { block: c('blpop b:l1 0') },
  c('rpush b:l1 a'),
  { unblocked: true },
  { block: c('brpop b:l2 b:l3 0') },
  c('rpush b:l3 a b'),
  { unblocked: true },
  { block: c('blmove b:l4 b:l5 left right 0') },
  c('lpush b:l4 x'),
  { unblocked: true },
  { block: c('brpoplpush b:l6 b:l6b 0') },
  c('rpush b:l6 x y'),
  { unblocked: true },
  { block: c('blmpop 0 2 b:l7 b:l8 right count 5') },
  c('rpush b:l8 a b'),
  { unblocked: true },
  { block: c('bzpopmin b:z1 0') },
  c('zadd b:z1 1 a'),
  { unblocked: true },
  { block: c('bzpopmax b:z2 0') },
  c('zadd b:z2 1 a 2 b'),
  { unblocked: true },
  { block: c('bzmpop 0 1 b:z3 max count 10') },
  c('zadd b:z3 1 a 2 b'),
  { unblocked: true },
  { block: c('blpop b:l9 0') },
  { group: [c('multi'), c('rpush b:l9 a'), c('rpush b:l9 b'), c('exec')] },
  { unblocked: true },
  { block: c('blpop b:l10 0') },
  { group: [c('rpush b:l10tmp a'), c('rename b:l10tmp b:l10')] },
  { unblocked: true },
  { block: c('blpop b:l11 0.05') },
  { unblocked: true },
];

export const transactions: Step[] = [
  { group: [c('multi'), c('set t:a 1'), c('incr t:a'), c('rpush t:l a'), c('lpop t:l'), c('exec')] },
  {
    group: [
      c('multi'),
      c('hset t:h f v'),
      c('sadd t:s a'),
      c('zadd t:z 1 a'),
      c('del t:h t:s t:z'),
      c('exec'),
    ],
  },
  { group: [c('multi'), c('set t:b 1'), c('lpush t:b x'), c('exec')] },
  { group: [c('multi'), c('set t:c 1'), c('discard')] },
  { group: [c('multi'), c('set t:d 1'), c('nosuchcommand'), c('exec')] },
  { group: [c('watch t:w'), c('set t:w 1'), c('multi'), c('set t:w 2'), c('exec')] },
];
