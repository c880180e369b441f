/** The paper's numbers, constants and tables → paper/generated/{numbers,published}.tex, paper/generated/tables/. */
import { params, root } from '../lib/engine/stage.ts';
import { writePaperInputs } from '../lib/report/paper-inputs.ts';

const { profile } = params<{ profile?: string }>();
const { missing, errors } = await writePaperInputs(root(), profile !== undefined ? { profile } : {});
if (errors.length > 0) {
  console.error(`paper-numbers: ${errors.length} number(s) the paper quotes have no value; nothing was written:\n  ${errors.join('\n  ')}`);
  process.exit(1);
}
if (missing.length > 0) console.warn(`paper-numbers: WARNING ${missing.length} number(s) printed as n/a until their producers are merged:\n  ${missing.join('\n  ')}`);
console.log('paper-numbers: wrote paper/generated/numbers.tex, published.tex and tables/');
