/** Grapheme → phoneme figures (alignment, learning curves) from reports/g2p/ → reports/figures/g2p/, paper/generated/fig-g2p/. */
import { root } from '../lib/engine/stage.ts';
import { writeFigureSet } from '../lib/report/sets.ts';
import { g2pFigures } from '../lib/report/sets-seq.ts';

const dir = root();
const written = await writeFigureSet(dir, 'g2p', await g2pFigures(dir));
console.log(`figures-g2p: ${written.map((f) => f.id).join(', ')}`);
