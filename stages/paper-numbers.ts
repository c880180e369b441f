/** The paper's numbers and tables → paper/generated/numbers.tex, paper/generated/tables/. */
import { root } from '../lib/engine/stage.ts';
import { writePaperInputs } from '../lib/report/paper-inputs.ts';

const { missing } = await writePaperInputs(root());
if (missing.length > 0) console.log(`paper-numbers: ${missing.length} number(s) printed as n/a, their sources are not produced:\n  ${missing.join('\n  ')}`);
console.log('paper-numbers: wrote paper/generated/numbers.tex and tables/');
