/** Script steps for the GEO commands (see script.ts): GEOADD is ZADD underneath; the stores. */
import { type Step, steps } from './step.js';

export const geo: Step[] = steps(`
  geoadd g:a 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
  geoadd g:a 13.361389 38.115556 Palermo
  geoadd g:a xx ch 13.5 38.1 Palermo 1 1 nope
  geoadd g:a nx 13.5 38.1 Palermo
  geoadd g:b xx 1 1 x
  geoadd g:a 200 0 bad
  geopos g:a Palermo nope
  geopos g:missing a
  geohash g:missing a
  geodist g:a Palermo Catania km
  geodist g:missing a b
  georadius g:a 15 37 200 km store g:r1
  georadius g:a 15 37 200 km storedist g:r1
  georadius g:a 15 37 1 m store g:r1
  georadius g:missing 15 37 200 km store g:r2
  georadius_ro g:a 15 37 200 km
  georadiusbymember g:a Palermo 500 km storedist g:r3
  georadiusbymember g:missing Palermo 500 km store g:r3
  georadiusbymember_ro g:a Palermo 1 km
  geosearch g:a fromlonlat 15 37 byradius 200 km
  geosearch g:missing frommember x bybox 1 1 km
  geosearchstore g:s g:a fromlonlat 15 37 bybox 400 400 km
  geosearchstore g:s g:a frommember Palermo byradius 500 km storedist count 1
  geosearchstore g:s g:a fromlonlat 0 0 byradius 1 km
  geosearchstore g:s2 g:missing fromlonlat 0 0 byradius 1 km
  zrem g:a Palermo Catania
  set g:str v
  geoadd g:str 1 1 a
  geosearchstore g:str g:str fromlonlat 0 0 byradius 1 km
`);
