/** The report page: every figure set, the comparison table and the promotions → reports/index.html. */
import { params, root } from '../lib/engine/stage.ts';
import { buildReport } from '../lib/report/report-page.ts';

const { profile } = params<{ profile?: string }>();
const r = await buildReport(root(), profile !== undefined ? { profile } : {});
console.log(`report: ${r.figures} figures (${r.sets.join(', ')}) → ${r.file}`);
