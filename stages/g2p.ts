/** Grapheme → phoneme stage: attention seq2seq on data/g2p (a CMUdict subset) → models/g2p, reports/g2p/. */
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
console.log(
  `g2p (${metrics.words} CMUdict words): PER ${(100 * metrics.test_per).toFixed(2)}%, word accuracy ${(100 * metrics.test_word_accuracy).toFixed(2)}%, ` +
    `BLEU ${metrics.test_bleu.toFixed(2)}; beam k=${metrics.beam_width}: PER ${(100 * metrics.beam_per).toFixed(2)}%, ` +
    `word accuracy ${(100 * metrics.beam_word_accuracy).toFixed(2)}%`,
);
