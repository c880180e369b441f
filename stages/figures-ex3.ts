/** Exercise 3 figures (frames, error per frame, ablation bars, curves) from reports/ex3-* → reports/figures/ex3/, paper/generated/fig-ex3/. */
import { root } from '../lib/engine/stage.ts';
import { ex3Figures, writeFigureSet } from '../lib/report/sets.ts';

const dir = root();
const written = await writeFigureSet(dir, 'ex3', await ex3Figures(dir));
console.log(`figures-ex3: ${written.map((f) => f.id).join(', ')}`);
