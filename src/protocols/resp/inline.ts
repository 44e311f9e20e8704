/**
 * Inline commands (`SET k "a b"\r\n`, telnet style): Redis's sdssplitargs over bytes.
 */
export { splitArgs } from '../../util/split-args.js';
