/**
 * Translation stage: one (attention, encoder) date translator on data/dates →
 * models/<group>/<member>, reports/<group>/<member>/. The `translate` matrix varies
 * `--attention` with `--encoder lstm`; `translate-encoder` varies `--encoder` with
 * `--attention best`, which reads the `translate.bestAttention` param.
 */
import path from 'node:path';
import { reportEpoch, reportTiming, root } from '../lib/engine/stage.ts';
import { initBackend } from '../lib/ml/backend.ts';
import { TRANSLATE_ENCODERS, TRANSLATE_STAGE_PARAMS, type TranslateEncoder, isAttentionKind, run } from '../lib/ml/experiments/translate.ts';
import { checkedParams } from './checked-params.ts';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
};
const p = checkedParams(TRANSLATE_STAGE_PARAMS);
const requested = arg('attention');
const attention = requested === 'best' ? p.translate.bestAttention : requested;
const encoder = arg('encoder') ?? 'lstm';
if (attention === undefined || !isAttentionKind(attention) || !(TRANSLATE_ENCODERS as readonly string[]).includes(encoder)) {
  console.error(`translate: bad --attention ${requested} (→ ${attention}) or --encoder ${encoder} (one of ${TRANSLATE_ENCODERS.join(', ')})`);
  process.exit(2);
}
// Attention members write <out>/translate/<attention>, encoder members <out>/translate-encoder/<encoder>:
// translate-encoder@lstm repeats the best attention member under a path of its own.
const member = requested === 'best' ? `translate-encoder/${encoder}` : `translate/${attention}`;
const dir = root();
await initBackend();
const { metrics } = await run(
  {
    seed: p.seed, dataDir: path.join(dir, 'data/dates'), attention, encoder: encoder as TranslateEncoder,
    ...p.translate.model, ...p.translate.train, ...p.translate.eval,
  },
  { outDir: path.join(dir, 'reports', member), modelDir: path.join(dir, 'models', member), onEpoch: reportEpoch, onTiming: reportTiming },
);
console.log(
  `${metrics.model}: exact match ${(100 * metrics.test_exact_match).toFixed(2)}% greedy, ` +
    `${(100 * metrics.beam_exact_match).toFixed(2)}% beam (k=${metrics.beam_width}, first ${metrics.beam_examples}), ` +
    `BLEU ${metrics.test_bleu.toFixed(2)}, CER ${metrics.test_cer.toFixed(4)}`,
);
