/**
 * One table of every model's metrics. Data-driven: every `reports/<model>/metrics.json` and
 * `reports/<group>/<member>/metrics.json` is a row, so models added later (exercise 3,
 * translation, g2p, spam…) appear without touching this file.
 *
 * Where the columns come from:
 * - metrics, `backend` and `train_time_s`: the metrics file the training stage wrote itself
 *   (durations of the current run are not in `.pipeline/logs/runs.jsonl` yet — that line is
 *   written when the run ends);
 * - `stage` and `fingerprint`: the `pipeline.lock` entry whose outs include the metrics file.
 *   The engine writes the lock as soon as each stage succeeds, so upstream stages of the
 *   current run are already there.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { type RunContext, writeJson } from '../ml/experiments/common.ts';

/** Params of the compare stage. */
export interface CompareParams {
  /** Project root (holds `reports/` and `pipeline.lock`). */
  root: string;
  /** Default `reports`. */
  reportsDir?: string;
  /** Default `pipeline.lock`. */
  lockFile?: string;
}

/** The metric a model is judged by (gates, "best" columns). */
export interface PrimaryMetric {
  metric: string;
  direction: 'max' | 'min';
}

/** One row of the table. */
export interface CompareRow {
  /** `ex1`, or `sweep/0.003-64` for a nested member. */
  model: string;
  /** Relative to the root. */
  metricsFile: string;
  task: string | null;
  primary: (PrimaryMetric & { value: number | null }) | null;
  /** Every top-level numeric field of the metrics file. */
  metrics: Record<string, number>;
  backend: string | null;
  trainTimeS: number | null;
  stage: string | null;
  fingerprint: string | null;
  /** The producing stage's out under `models/`, if any (what promote registers). */
  modelDir: string | null;
}

/** What `compare.json` holds. */
export interface CompareResult {
  models: CompareRow[];
}

/**
 * The metric a metrics file is judged by: its own `gate_metric` (with `gate_direction`, default
 * 'max') when given, else `test_accuracy` (higher is better), else `test_mse` (lower is better).
 */
export function primaryMetric(m: Record<string, unknown>): PrimaryMetric | null {
  if (typeof m.gate_metric === 'string') return { metric: m.gate_metric, direction: m.gate_direction === 'min' ? 'min' : 'max' };
  if (typeof m.test_accuracy === 'number') return { metric: 'test_accuracy', direction: 'max' };
  if (typeof m.test_mse === 'number') return { metric: 'test_mse', direction: 'min' };
  return null;
}

interface LockStage {
  fingerprint?: string;
  outs?: { path: string }[];
}

async function readLockStages(file: string): Promise<Record<string, LockStage>> {
  try {
    const doc = parse(await readFile(file, 'utf8')) as { stages?: Record<string, LockStage> } | null;
    return doc?.stages ?? {};
  } catch {
    return {};
  }
}

async function listMetricFiles(root: string, reports: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (rel: string, depth: number): Promise<void> => {
    const entries = await readdir(path.join(root, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const child = path.posix.join(rel, e.name);
      if (e.isDirectory() && depth < 2) await walk(child, depth + 1);
      else if (e.isFile() && e.name === 'metrics.json' && depth >= 1) found.push(child);
    }
  };
  await walk(reports, 0);
  return found.sort();
}

/** Builds the rows for every metrics file under `reports`. */
export async function collect(params: CompareParams): Promise<CompareRow[]> {
  const reports = params.reportsDir ?? 'reports';
  const stages = await readLockStages(path.join(params.root, params.lockFile ?? 'pipeline.lock'));
  const rows: CompareRow[] = [];
  for (const file of await listMetricFiles(params.root, reports)) {
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(await readFile(path.join(params.root, file), 'utf8')) as Record<string, unknown>;
    } catch {
      continue; // not a metrics file we understand; compare what we can
    }
    const model = path.posix.dirname(path.posix.relative(reports, file));
    const metrics: Record<string, number> = {};
    for (const [k, v] of Object.entries(data)) if (typeof v === 'number' && Number.isFinite(v)) metrics[k] = v;
    const producer = Object.entries(stages).find(([, s]) => s.outs?.some((o) => o.path === file));
    const modelDir = producer?.[1].outs?.map((o) => o.path).find((p) => p.startsWith('models/')) ?? null;
    const primary = primaryMetric(data);
    const backend = data.backend as { name?: string; version?: string } | undefined;
    rows.push({
      model,
      metricsFile: file,
      task: typeof data.task === 'string' ? data.task : null,
      primary: primary ? { ...primary, value: metrics[primary.metric] ?? null } : null,
      metrics,
      backend: backend?.name ? `${backend.name}${backend.version ? ` ${backend.version}` : ''}` : null,
      trainTimeS: metrics.train_time_s ?? null,
      stage: producer?.[0] ?? null,
      fingerprint: producer?.[1].fingerprint ?? null,
      modelDir,
    });
  }
  return rows;
}

const fmt = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : Number.isInteger(v) ? String(v) : v.toPrecision(4).replace(/\.?0+$/, '');

/** The Markdown table of `rows`. */
export function toMarkdown(rows: readonly CompareRow[]): string {
  const head = '| model | task | primary metric | other test metrics | backend | train time (s) | stage | fingerprint |';
  const lines = [head, '|---|---|---|---|---|---:|---|---|'];
  for (const r of rows) {
    const primary = r.primary ? `${r.primary.metric} ${fmt(r.primary.value)}` : '—';
    const others = Object.entries(r.metrics)
      .filter(([k]) => k.startsWith('test_') && k !== r.primary?.metric && !/_(samples|windows)$/.test(k))
      .map(([k, v]) => `${k.slice(5)} ${fmt(v)}`)
      .join(', ');
    lines.push(`| ${r.model} | ${r.task ?? '—'} | ${primary} | ${others || '—'} | ${r.backend ?? '—'} | ${fmt(r.trainTimeS)} | ${r.stage ?? '—'} | ${r.fingerprint ? `\`${r.fingerprint.slice(0, 12)}\`` : '—'} |`);
  }
  return `# Model comparison\n\nOne row per \`reports/**/metrics.json\`; fingerprints from \`pipeline.lock\`.\n\n${lines.join('\n')}\n`;
}

/** Writes `compare.json` and `compare.md` into `ctx.outDir`. */
export async function run(params: CompareParams, ctx: RunContext): Promise<CompareResult> {
  const models = await collect(params);
  const result: CompareResult = { models };
  await writeJson(path.join(ctx.outDir, 'compare.json'), result);
  await writeFile(path.join(ctx.outDir, 'compare.md'), toMarkdown(models));
  return result;
}
