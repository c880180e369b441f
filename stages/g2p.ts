/** Grapheme → phoneme stage: attention seq2seq on data/g2p (CMUdict's fixed word split) → models/g2p, reports/g2p/. */
import path from 'node:path';
import { reportEpoch, reportTiming, root } from '../lib/engine/stage.ts';
import { initBackend } from '../lib/ml/backend.ts';
import { G2P_STAGE_PARAMS, run } from '../lib/ml/experiments/g2p.ts';
import { checkedParams } from './checked-params.ts';

const p = checkedParams(G2P_STAGE_PARAMS);
const dir = root();
await initBackend();
const { metrics } = await run(
  { seed: p.seed, dataDir: path.join(dir, 'data/g2p'), ...p.g2p },
  { outDir: path.join(dir, 'reports/g2p'), modelDir: path.join(dir, 'models/g2p'), onEpoch: reportEpoch, onTiming: reportTiming },
);
const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
console.log(
  `g2p (${metrics.train_words} training words, ${metrics.test_words} test words): WER ${pct(metrics.test_wer)}, PER ${pct(metrics.test_per)}, ` +
    `BLEU ${metrics.test_bleu.toFixed(2)}; beam k=${metrics.beam_width} on ${metrics.beam_examples} words: WER ${pct(metrics.beam_wer)} ` +
    `(greedy ${pct(metrics.greedy_wer_on_beam)}), PER ${pct(metrics.beam_per)}`,
);
