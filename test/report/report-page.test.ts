import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../lib/report/report-page.ts';
import { alignmentFigures, ex1Figures, ex2Figures, ex3Figures, theoryFigures, writeFigureSet } from '../../lib/report/sets.ts';
import { makeReportsFixture } from './fixtures.ts';

const run = promisify(execFile);
const chromium = ['chromium', 'chromium-browser'].find((bin) => spawnSync(bin, ['--version'], { encoding: 'utf8' }).status === 0);
if (!chromium) console.warn('test/report/report-page: SKIPPING the headless browser test: Debian\'s `chromium` is not installed (apt-get install chromium).');

let root: string;
let html: string;
const FIGURES = 3 + 3 + 1 + 4 + 1;

beforeAll(async () => {
  root = await makeReportsFixture();
  await writeFigureSet(root, 'ex1', await ex1Figures(root));
  await writeFigureSet(root, 'ex2', await ex2Figures(root));
  await writeFigureSet(root, 'theory', await theoryFigures(root));
  await writeFigureSet(root, 'ex3', await ex3Figures(root));
  await writeFigureSet(root, 'dates', await alignmentFigures(root, [{ name: 'additive', file: 'reports/translate/additive-lstm/attention.json' }], 'dates'));
  const r = await buildReport(root);
  expect(r.figures).toBe(FIGURES);
  expect(r.sets).toEqual(['ex1', 'ex2', 'ex3', 'dates', 'theory']);
  html = await readFile(path.join(root, 'reports/index.html'), 'utf8');
}, 120_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('reports/index.html', () => {
  it('is self-contained: inline SVG and CSS, no script, nothing fetched', () => {
    expect(html.match(/<svg class="fig"/g)).toHaveLength(FIGURES);
    expect(html).not.toMatch(/<script|<link|<iframe/i);
    // The only URLs are XML namespaces; images are data: URIs.
    const urls = [...html.matchAll(/(?:src|href)="([^"#][^"]*)"/g)].map((m) => m[1]!);
    expect(urls.every((u) => u.startsWith('data:image/png;base64,'))).toBe(true);
  });

  it('shows the comparison, each run\'s backend, time and fingerprint, and the promoted model', () => {
    expect(html).toContain('<td>cpu 4.22.0</td>');
    expect(html).toContain(`title="${'ab'.repeat(32)}">${'ab'.repeat(6)}</code>`);
    expect(html).toContain('<td class="num">3.25</td>');
    // Each task once, with its final production version and the member that made it.
    expect(html).toContain('Production models: <strong>classifier v2</strong> (sweep/0.003-64).</p>');
    expect(html).toContain('<dt>production models</dt><dd>classifier v2 (sweep/0.003-64)</dd>');
    expect(html).toContain('<td class="no">no</td>');
  });

  it('gives every element id one owner: figures\' SVG ids (vega\'s gradient_0) are prefixed per figure', () => {
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]!);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    // Every local reference still points at an id of the page, and gradients at their own figure's.
    const refs = [...html.matchAll(/url\(#([^)]+)\)|href="#([^"]+)"/g)].map((m) => m[1] ?? m[2]!);
    expect(refs.filter((r) => !ids.includes(r))).toEqual([]);
    expect(html).toMatch(/id="fig-[^"]+-gradient_0"/);
  });

  it('names each figure for assistive technology and puts tables in sideways-scrolling regions', () => {
    expect(html.match(/<svg class="fig" role="img" aria-label="[^"]+"/g)).toHaveLength(FIGURES);
    expect(html).toContain('<div class="scroll" role="region" aria-label="Comparison of every model (scrolls sideways)" tabindex="0"><table>');
  });

  it('states what it was built from, and stamps a profile other than the default', async () => {
    expect(html).toMatch(/Built from profile <strong>default<\/strong> · Node \d+, cpu 4\.22\.0/);
    expect(html).not.toMatch(/commit/i); // a page naming its commit would differ at every commit: not reproducible
    expect(html).not.toContain('not results');
    expect(html.split('</header>')[0]).not.toMatch(/20\d\d-\d\d-\d\d|\d\d:\d\d/); // no wall-clock time: the page is a cached out
    await buildReport(root, { profile: 'smoke', out: 'reports/smoke.html' });
    const smoke = await readFile(path.join(root, 'reports/smoke.html'), 'utf8');
    expect(smoke).toContain('<p class="stamp" role="note">Profile “smoke”: reduced sizes for a quick check. These numbers are not results.</p>');
  });

  it.skipIf(!chromium)('at 1280 and 390 px: no sideways page overflow, no duplicate ids, no script errors', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'seqlab-chromium-'));
    try {
      // The probe records errors from the start, then measures once laid out.
      const catcher = `<script>window.__errors=[];addEventListener('error',(e)=>__errors.push(String(e.message||e.type)),true);const ce=console.error;console.error=(...a)=>{__errors.push(a.join(' '));ce(...a)};</script>`;
      const probe = `<script>const ids=[...document.querySelectorAll('[id]')].map((e)=>e.id);document.body.dataset.probe=JSON.stringify({scroll:document.documentElement.scrollWidth,inner:innerWidth,dups:ids.filter((id,i)=>ids.indexOf(id)!==i),errors:__errors,tiny:[...document.querySelectorAll('svg.fig text')].filter((t)=>{const r=t.getBoundingClientRect();return r.height>0&&r.height<6}).length});</script>`;
      await writeFile(path.join(dir, 'probe.html'), html.replace('<head>', `<head>${catcher}`).replace('</body>', `${probe}</body>`));
      for (const width of [1280, 390]) {
        // Headless windows are at least 500 px wide; an iframe of the exact width is the phone's viewport.
        const frame = path.join(dir, `frame-${width}.html`);
        await writeFile(frame, `<!DOCTYPE html><body style="margin:0"><iframe id="f" src="probe.html" style="width:${width}px;height:900px;border:0" onload="document.body.dataset.probe=this.contentDocument.body.dataset.probe"></iframe></body>`);
        const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--hide-scrollbars', '--allow-file-access-from-files', '--window-size=1400,1000', `--user-data-dir=${path.join(dir, `profile-${width}`)}`];
        const { stdout } = await run(chromium!, [...flags, '--dump-dom', `file://${frame}`], { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
        const probed = JSON.parse((/<body[^>]*data-probe="([^"]*)"/.exec(stdout)?.[1] ?? '{}').replace(/&quot;/g, '"')) as { scroll: number; inner: number; dups: string[]; errors: string[]; tiny: number };
        expect(probed.inner, `window width ${width}`).toBe(width);
        expect(probed.scroll, `page width at ${width} px`).toBeLessThanOrEqual(width);
        expect(probed.dups).toEqual([]);
        expect(probed.errors).toEqual([]);
        // Chart text keeps its size on a phone (the figure scrolls instead of shrinking).
        expect(probed.tiny, `chart labels under 6 px at ${width}`).toBe(0);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 240_000);

  it.skipIf(!chromium)('renders in headless chromium with every figure laid out at a non-zero size', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'seqlab-chromium-'));
    try {
      // A copy of the page with a probe that writes each SVG's laid-out size into the DOM.
      const probe = `<script>document.body.dataset.sizes = JSON.stringify([...document.querySelectorAll('svg.fig')].map((s) => { const r = s.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; }));</script>`;
      const page = path.join(dir, 'probe.html');
      await writeFile(page, html.replace('</body>', `${probe}</body>`));
      const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', `--user-data-dir=${path.join(dir, 'profile')}`];
      const { stdout } = await run(chromium!, [...flags, '--dump-dom', `file://${page}`], { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
      const sizes = JSON.parse((/data-sizes="([^"]*)"/.exec(stdout)?.[1] ?? '[]').replace(/&quot;/g, '"')) as [number, number][];
      expect(sizes).toHaveLength(FIGURES);
      for (const [w, h] of sizes) {
        expect(w).toBeGreaterThan(50);
        expect(h).toBeGreaterThan(50);
      }
      const shot = path.join(dir, 'shot.png');
      await run(chromium!, [...flags, '--hide-scrollbars', `--screenshot=${shot}`, '--window-size=1280,2000', `file://${path.join(root, 'reports/index.html')}`], { timeout: 120_000 });
      expect((await stat(shot)).size).toBeGreaterThan(20_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
