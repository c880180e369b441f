/** `pipeline …` through the CLI's main() in project `root` (also the cwd), with captured output. */
import { main } from '../../lib/cli/main.ts';
import type { CliIo } from '../../lib/engine/cli/io.ts';

export async function runCli(root: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), color: false, isTTY: false, cwd: root };
  const code = await main(['-C', root, ...argv], io);
  return { code, out, err };
}
