/** Builds paper/main.tex with latexmk when TeX is installed → paper/build/{main.pdf, build.json}. */
import { root } from '../lib/engine/stage.ts';
import { buildPaper } from '../lib/report/paper-build.ts';

const r = await buildPaper(root());
if (r.built) console.log(`paper: built ${r.pdf} (${r.pages ?? '?'} pages, ${r.bodyPages ?? '?'} before the references) with ${r.latexmk}`);
else if (r.skipped) console.log(`paper: SKIPPED — ${r.reason} See paper/build/build.json.`);
else {
  console.error(`paper: ${r.reason}\n${r.log ?? ''}`);
  process.exit(1);
}
