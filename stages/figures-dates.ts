/** Translation figures (bars of every member, the best member's alignment) from reports/translate{,-encoder}/ → reports/figures/dates/, paper/generated/fig-dates/. */
import { root } from '../lib/engine/stage.ts';
import { writeFigureSet } from '../lib/report/sets.ts';
import { seq2seqFigures } from '../lib/report/sets-seq.ts';

const dir = root();
const figures = await seq2seqFigures(dir, ['reports/translate', 'reports/translate-encoder'], { set: 'dates', label: 'Dates', metrics: ['test_exact_match', 'test_bleu'] });
const written = await writeFigureSet(dir, 'dates', figures);
console.log(`figures-dates: ${written.map((f) => f.id).join(', ') || 'no translation runs found'}`);
