/** Fuzz target for the RESP parser: throws when an input breaks one of the parser's promises. */
export function fuzz(data: Buffer): void;
