/** Figures of reports/ex1 (attention, learning curve, confusion matrix) → reports/figures/ex1/, paper/generated/fig-ex1/. */
import { root } from '../lib/engine/stage.ts';
import { ex1Figures, writeFigureSet } from '../lib/report/sets.ts';

const dir = root();
const written = await writeFigureSet(dir, 'ex1', await ex1Figures(dir));
console.log(`figures-ex1: ${written.map((f) => f.id).join(', ')}`);
