/**
 * `pnpm translate [--model NAME] [--version N] [--root DIR] TEXT…`: translates each TEXT with a
 * registered model (default `date-translator`, production version) and prints the output and
 * the alignment as a text heatmap (the seq2seq course's analyze mode). Exit 1 with one sentence
 * for an unknown model, a missing object or a character outside the vocabulary; 2 for usage.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../ml/backend.ts';
import { HttpError } from './errors.ts';
import { ServedModels } from './models.ts';
import type { Seq2SeqPrediction } from './seq2seq.ts';

const SHADES = [' ', '░', '▒', '▓', '█'];

/** A text heatmap: one line per output token, one column per source character (weights 0–1). */
export function textHeatmap(source: readonly string[], output: readonly string[], weights: readonly (readonly number[])[]): string {
  const label = Math.max(4, ...output.map((o) => o.length));
  const head = `${' '.repeat(label)} │${source.map((c) => (c === ' ' ? '␠' : c)).join('')}`;
  const lines = [head, `${'─'.repeat(label)}─┼${'─'.repeat(source.length)}`];
  weights.forEach((row, i) => {
    const cells = row.map((w) => SHADES[Math.min(SHADES.length - 1, Math.floor(Math.max(0, w) * SHADES.length))]).join('');
    lines.push(`${(output[i] ?? '').padStart(label)} │${cells}`);
  });
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ options: { model: { type: 'string' }, version: { type: 'string' }, root: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`translate: ${(e as Error).message}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) {
    process.stderr.write('usage: pnpm translate [--model NAME] [--version N] [--root DIR] "June 3, 2021" …\n');
    return 2;
  }
  const version = values.version === undefined ? undefined : Number(values.version.replace(/^v/, ''));
  if (version !== undefined && !(Number.isInteger(version) && version >= 1)) {
    process.stderr.write(`translate: --version must be a version number, got "${values.version}".\n`);
    return 2;
  }
  await initBackend({ log: () => {} });
  const models = new ServedModels(path.resolve(values.root ?? process.cwd()), { enabled: false, maxBatch: 1, maxDelayMs: 0 });
  try {
    const served = await models.get(values.model ?? 'date-translator', version);
    if (served.card.kind !== 'seq2seq-chars') throw new HttpError(400, `"${served.name}" is not a sequence-to-sequence model; translate needs one (date-translator, g2p).`);
    const inputs = positionals.map((t, i) => ({ input: served.handler.encode(t, i), attention: true }));
    const preds = (await served.batcher.submit(inputs)) as Seq2SeqPrediction[];
    process.stdout.write(`${served.name} v${served.version.version} (${served.version.member ?? served.name})\n`);
    preds.forEach((p, i) => {
      process.stdout.write(`\n${positionals[i]} → ${p.output}\n`);
      if (p.attention && p.attention.weights.length > 0 && p.attention.weights[0]!.length > 0) {
        process.stdout.write(textHeatmap(p.attention.source, p.attention.output, p.attention.weights));
      } else process.stdout.write('(this model has no attention)\n');
    });
    return 0;
  } catch (e) {
    if (!(e instanceof HttpError)) throw e;
    process.stderr.write(`translate: ${e.message.replace(/^instances\[(\d+)\]/, (_, i: string) => JSON.stringify(positionals[Number(i)]))}\n`);
    return 1;
  } finally {
    await models.dispose();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) process.exitCode = await main();
