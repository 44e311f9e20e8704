/** Fuzz target for the HTTP door's decoders: throws when an input breaks one of their promises. */
export function fuzz(data: Buffer): void;
