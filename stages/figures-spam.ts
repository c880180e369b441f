/** Spam figures (bars, confusion matrix, attention over tokens) from reports/spam/ → reports/figures/spam/, paper/generated/fig-spam/. */
import { root } from '../lib/engine/stage.ts';
import { writeFigureSet } from '../lib/report/sets.ts';
import { spamFigures } from '../lib/report/sets-seq.ts';

const dir = root();
const written = await writeFigureSet(dir, 'spam', await spamFigures(dir, 'reports/spam'));
console.log(`figures-spam: ${written.map((f) => f.id).join(', ') || 'no spam runs found'}`);
