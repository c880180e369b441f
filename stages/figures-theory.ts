/** Figures of reports/theory/scaling.json (the 1/√d_k plot) → reports/figures/theory/, paper/generated/fig-theory/. */
import { root } from '../lib/engine/stage.ts';
import { theoryFigures, writeFigureSet } from '../lib/report/sets.ts';

const dir = root();
const written = await writeFigureSet(dir, 'theory', await theoryFigures(dir));
console.log(`figures-theory: ${written.map((f) => f.id).join(', ')}`);
