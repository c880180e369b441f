/**
 * Issue 11, item 8: the engine imports nothing of the project, and a project adds its verbs to
 * the engine's CLI from outside (seqlab's `models` and `verify` live in lib/cli/).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main as engineMain } from '../../../lib/engine/cli.ts';
import type { CliIo } from '../../../lib/engine/cli/io.ts';
import { main } from '../../../lib/cli/main.ts';

const ENGINE = fileURLToPath(new URL('../../../lib/engine/', import.meta.url));

function captured(): CliIo & { text: () => string } {
  let text = '';
  return { out: (t) => void (text += t), err: (t) => void (text += t), color: false, isTTY: false, cwd: process.cwd(), text: () => text };
}

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(p)));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('the engine stands alone', () => {
  it('no module under lib/engine imports (statically or dynamically) outside lib/engine, except packages', async () => {
    const offenders: string[] = [];
    for (const file of await sources(ENGINE)) {
      // Comments may show how a project imports the engine; only code counts.
      const text = (await readFile(file, 'utf8')).replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      for (const m of text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = path.resolve(path.dirname(file), m[1]!);
        if (!target.startsWith(ENGINE)) offenders.push(`${path.relative(ENGINE, file)} → ${m[1]}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("the engine's CLI alone knows no project verb; extraVerbs adds one, listed in help and dispatched lazily", async () => {
    const bare = captured();
    expect(await engineMain(['models', 'list'], bare)).toBe(2);
    expect(bare.text()).toMatch(/Unknown verb "models"/);
    let loaded = 0;
    const hello = captured();
    const extraVerbs = [{
      name: 'hello', summary: 'Say hello.', usage: 'hello NAME', options: {}, examples: ['hello you'],
      load: async () => {
        loaded++;
        return async (ctx: { io: CliIo; positionals: string[] }) => (ctx.io.out(`hello ${ctx.positionals[0]}\n`), 0);
      },
    }];
    expect(await engineMain(['--help'], hello, { extraVerbs })).toBe(0);
    expect(hello.text()).toMatch(/^ {2}hello +Say hello\.$/m);
    expect(loaded).toBe(0);
    expect(await engineMain(['hello', 'you'], hello, { extraVerbs })).toBe(0);
    expect(hello.text()).toMatch(/^hello you$/m);
    expect(loaded).toBe(1);
  });

  it("seqlab's CLI has the engine's verbs and its own", async () => {
    const io = captured();
    expect(await main(['--help'], io)).toBe(0);
    for (const verb of ['run', 'status', 'gc', 'models', 'verify']) expect(io.text()).toMatch(new RegExp(`^ {2}${verb} `, 'm'));
  });
});
