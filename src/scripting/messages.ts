/**
 * Lua 5.4 words some runtime errors differently from the Lua 5.1 that Redis embeds; scripts
 * and their callers see 5.1's wording ("attempt to index field 'x' (a nil value)" where 5.4
 * says "attempt to index a nil value (field 'x')").
 */
const VARIABLE_INFO =
  /attempt to ([a-z ]+?) a ([a-z]+) value \((global|local|field|upvalue|method|constant) '([^']*)'\)/g;

export function lua51Message(msg: string): string {
  // 5.1 quotes the end of the chunk as a token: "near '<eof>'".
  msg = msg.replace(/ near <eof>/g, " near '<eof>'");
  if (!msg.includes('attempt to ')) return msg;
  return msg.replace(
    VARIABLE_INFO,
    (_m, op: string, type: string, kind: string, name: string) =>
      `attempt to ${op} ${kind === 'constant' ? 'local' : kind} '${name}' (a ${type} value)`,
  );
}
