/**
 * TLS options (Redis's directive names); concatenated into OPTIONS by ../schema.ts. The files are
 * read once at start by src/security/tls.ts; none of these change at run time.
 */
import type { OptionSpec } from '../schema.js';

export const TLS_OPTIONS = [
  {
    name: 'tls-port',
    type: 'int',
    default: '-1',
    min: -1,
    max: 65535,
    mutable: false,
    doc: 'RESP over TLS port (-1 = off, 0 picks a free one); needs tls-cert-file and tls-key-file',
  },
  {
    name: 'tls-cert-file',
    type: 'string',
    default: '',
    mutable: false,
    doc: 'Server certificate (PEM, may hold the chain); with tls-key-file it also turns on HTTPS and gRPC TLS',
  },
  {
    name: 'tls-key-file',
    type: 'string',
    default: '',
    mutable: false,
    doc: 'Private key of tls-cert-file (PEM)',
  },
  {
    name: 'tls-key-file-pass',
    type: 'string',
    default: '',
    mutable: false,
    hidden: true,
    doc: 'Passphrase of tls-key-file, when it is encrypted',
  },
  {
    name: 'tls-ca-cert-file',
    type: 'string',
    default: '',
    mutable: false,
    doc: 'CA certificates (PEM) that client certificates are verified against; empty = clients are not asked for one',
  },
  {
    name: 'tls-auth-clients',
    type: 'enum',
    default: 'yes',
    values: ['yes', 'no', 'optional'],
    mutable: false,
    doc: 'Client certificates when tls-ca-cert-file is set: yes = required, optional = verified when presented, no = not asked for',
  },
  {
    name: 'tls-protocols',
    type: 'string',
    default: '',
    mutable: false,
    doc: 'TLS versions accepted, e.g. "TLSv1.2 TLSv1.3" (empty = TLSv1.2 and TLSv1.3)',
  },
  {
    name: 'tls-ciphers',
    type: 'string',
    default: '',
    mutable: false,
    doc: 'OpenSSL cipher list for TLSv1.2 and below (empty = Node.js defaults)',
  },
  {
    name: 'tls-ciphersuites',
    type: 'string',
    default: '',
    mutable: false,
    doc: 'TLSv1.3 cipher suites, colon separated (empty = Node.js defaults)',
  },
  {
    name: 'http-tls',
    type: 'bool',
    default: 'yes',
    mutable: false,
    doc: 'Serve HTTPS on http-port when tls-cert-file and tls-key-file are set (no = plain HTTP)',
  },
  {
    name: 'grpc-tls',
    type: 'bool',
    default: 'yes',
    mutable: false,
    doc: 'Serve gRPC over TLS on grpc-port when tls-cert-file and tls-key-file are set (no = plaintext)',
  },
] as const satisfies readonly OptionSpec[];
