/** Figures of reports/ex2 (forecasts, attention, learning curve) → reports/figures/ex2/, paper/generated/fig-ex2/. */
import { root } from '../lib/engine/stage.ts';
import { ex2Figures, writeFigureSet } from '../lib/report/sets.ts';

const dir = root();
const written = await writeFigureSet(dir, 'ex2', await ex2Figures(dir));
console.log(`figures-ex2: ${written.map((f) => f.id).join(', ')}`);
