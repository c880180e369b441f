/** The paper's numbers and tables → paper/generated/numbers.tex, paper/generated/tables/. */
import { params, root } from '../lib/engine/stage.ts';
import { writePaperInputs } from '../lib/report/paper-inputs.ts';

const { profile } = params<{ profile?: string }>();
const { missing } = await writePaperInputs(root(), profile !== undefined ? { profile } : {});
if (missing.length > 0) console.log(`paper-numbers: ${missing.length} number(s) printed as n/a, their sources are not produced:\n  ${missing.join('\n  ')}`);
console.log('paper-numbers: wrote paper/generated/numbers.tex and tables/');
