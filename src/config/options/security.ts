/** Access-control options (ACL users, admin command renaming); spread into OPTIONS by ../schema.ts. */
import type { OptionSpec } from '../schema.js';

export const SECURITY_OPTIONS = [
  {
    name: 'user',
    type: 'string',
    default: '',
    mutable: false,
    multi: true,
    hidden: true,
    doc: 'An ACL user and its rules, as Redis\'s "user" directive: "alice on >secret ~cache:* +@read" (repeatable)',
  },
  {
    name: 'aclfile',
    type: 'string',
    default: '',
    mutable: false,
    doc: 'ACL file of "user ..." lines, loaded at start and by ACL LOAD, written by ACL SAVE',
  },
  {
    name: 'acllog-max-len',
    type: 'int',
    default: '128',
    min: 0,
    max: 10_000,
    mutable: true,
    doc: 'Entries kept by ACL LOG',
  },
  {
    name: 'acl-pubsub-default',
    type: 'enum',
    default: 'resetchannels',
    values: ['allchannels', 'resetchannels'],
    mutable: true,
    doc: 'Channel permissions of a new ACL user (and of one `reset`): none (resetchannels, Redis 7.0) or all (allchannels)',
  },
  {
    name: 'rename-command',
    type: 'string',
    default: '',
    mutable: false,
    multi: true,
    hidden: true,
    doc: 'Rename a command ("FLUSHALL my-flushall") or disable it ("FLUSHALL \'\'") (repeatable)',
  },
  {
    name: 'protected-mode',
    type: 'bool',
    default: 'yes',
    mutable: true,
    doc: 'While the default user has no password, refuse clients not on loopback (RESP DENIED, HTTP 403, gRPC PERMISSION_DENIED)',
  },
  {
    name: 'enable-debug-command',
    type: 'enum',
    default: 'local',
    values: ['no', 'yes', 'local'],
    mutable: false,
    doc: 'DEBUG: refused (no), loopback clients only (local; Redis defaults to no), or everyone (yes)',
  },
] as const satisfies readonly OptionSpec[];
