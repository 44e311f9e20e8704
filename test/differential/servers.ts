/**
 * Start Cairn with an engine named explicitly, and prove which engine runs: the ready log line
 * and INFO server must both name it (a build that ignored --engine would otherwise test the
 * default twice and call it two engines).
 */
import { type CairnProcess, startCairn } from '../helpers/cairn.js';
import { RawRespClient } from './resp-client.js';

export const ENGINES = ['map', 'offheap'] as const;
export type Engine = (typeof ENGINES)[number];

export async function startEngine(engine: Engine, args: string[] = []): Promise<CairnProcess> {
  const cairn = await startCairn({ args: ['--engine', engine, ...args], timeoutMs: 45_000 });
  try {
    const line = cairn
      .logs()
      .split('\n')
      .find((l) => l.includes('ready to accept connections'));
    const reported = line === undefined ? undefined : (JSON.parse(line) as { engine?: string }).engine;
    if (reported !== engine)
      throw new Error(`started with --engine ${engine}, the ready line says ${reported}`);
    const client = await RawRespClient.connect(cairn.respPort);
    const info = (await client.call(['info', 'server'])).toString('latin1');
    client.close();
    const fromInfo = /\r\nengine:([^\r]*)\r\n/.exec(info)?.[1];
    if (fromInfo !== engine) throw new Error(`started with --engine ${engine}, INFO server says ${fromInfo}`);
  } catch (err) {
    await cairn.stop();
    throw err;
  }
  return cairn;
}
