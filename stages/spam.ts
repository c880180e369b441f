/**
 * Spam stage (`spam@<cell>-<masked|unmasked>`): one classifier on data/spam →
 * models/spam/<member>, reports/spam/<member>/.
 */
import path from 'node:path';
import { item, reportEpoch, reportTiming, root } from '../lib/engine/stage.ts';
import { initBackend } from '../lib/ml/backend.ts';
import { SPAM_STAGE_PARAMS, run, spamMemberName } from '../lib/ml/experiments/spam.ts';
import { SPAM_CELLS, type SpamCell } from '../lib/ml/models/spam-classifier.ts';
import { checkedParams } from './checked-params.ts';

const p = checkedParams(SPAM_STAGE_PARAMS);
const { cell, mask } = item<{ cell: string; mask: string }>();
if (!(SPAM_CELLS as readonly string[]).includes(cell) || (mask !== 'masked' && mask !== 'unmasked')) {
  console.error(`spam: matrix item cell must be one of ${SPAM_CELLS.join(', ')} and mask masked|unmasked; got ${cell}, ${mask}`);
  process.exit(2);
}
const member = spamMemberName(cell as SpamCell, mask === 'masked');
const dir = root();
await initBackend();
const { metrics } = await run(
  { seed: p.seed, dataDir: path.join(dir, 'data/spam'), cell: cell as SpamCell, masked: mask === 'masked', ...p.spam.model, ...p.spam.train, ...p.spam.eval },
  { outDir: path.join(dir, 'reports/spam', member), modelDir: path.join(dir, 'models/spam', member), onEpoch: reportEpoch, onTiming: reportTiming },
);
console.log(
  `spam ${member}: accuracy ${metrics.test_accuracy.toFixed(4)}, F1 ${metrics.test_f1.toFixed(4)}, ` +
    `confusion ${JSON.stringify(metrics.confusion)}, grad norm ${metrics.grad_norm_first.toFixed(3)} → ${metrics.grad_norm_last.toFixed(3)}`,
);
