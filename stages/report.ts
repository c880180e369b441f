/** The report page: every figure set, the comparison table and the promotions → reports/index.html. */
import { root } from '../lib/engine/stage.ts';
import { buildReport } from '../lib/report/report-page.ts';

const r = await buildReport(root());
console.log(`report: ${r.figures} figures (${r.sets.join(', ')}) → ${r.file}`);
