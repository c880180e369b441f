/**
 * Selection over the sweep's members: the member with the best VALIDATION accuracy — never the
 * test score, which would leak the test set into the choice — is published as the model
 * `sweep-best`. No TensorFlow.js here: it only reads metrics and copies files.
 */
import { cp, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { type RunContext, writeJson } from '../ml/experiments/common.ts';
import type { Ex1Metrics } from '../ml/experiments/ex1.ts';

/** Params of the selection. */
export interface SelectParams {
  /** Directory with one `<member>/metrics.json` per member (`reports/sweep`). */
  reportsDir: string;
  /** Directory with one `<member>/` model per member (`models/sweep`). */
  modelsDir: string;
  /** Default `val_accuracy`; higher is better. */
  metric?: string;
}

/** One row of `selection.json`. */
export interface SweepRow {
  member: string;
  lr: number;
  units: number;
  score: number;
  test_accuracy: number;
  parameters: number;
}

/** What `selection.json` holds. */
export interface SelectResult {
  metric: string;
  best: string;
  members: SweepRow[];
}

/**
 * The best row: highest score; ties go to the smaller model, then to the name (so the choice
 * never depends on directory order).
 */
export function pickBest(rows: readonly SweepRow[]): SweepRow {
  if (rows.length === 0) throw new Error('sweep: no member results to select from');
  return [...rows].sort((a, b) => b.score - a.score || a.parameters - b.parameters || (a.member < b.member ? -1 : 1))[0]!;
}

/**
 * Reads every member's metrics, picks the best by validation metric, copies its model to
 * `ctx.modelDir` and writes `metrics.json` (the winner's, as model `sweep-best`) and
 * `selection.json` (every member) into `ctx.outDir`.
 */
export async function select(params: SelectParams, ctx: RunContext): Promise<SelectResult> {
  const metric = params.metric ?? 'val_accuracy';
  const rows: SweepRow[] = [];
  const byMember = new Map<string, Ex1Metrics>();
  for (const member of (await readdir(params.reportsDir)).sort()) {
    const file = path.join(params.reportsDir, member, 'metrics.json');
    const m = JSON.parse(await readFile(file, 'utf8').catch(() => 'null')) as Ex1Metrics | null;
    if (!m) continue;
    const score = (m as unknown as Record<string, unknown>)[metric];
    if (typeof score !== 'number') throw new Error(`${file}: no numeric "${metric}"`);
    byMember.set(member, m);
    rows.push({
      member, lr: m.hyperparameters.lr, units: m.hyperparameters.units, score, test_accuracy: m.test_accuracy, parameters: m.parameters,
    });
  }
  const best = pickBest(rows);
  const winner = byMember.get(best.member)!;
  if (ctx.modelDir !== undefined) {
    await rm(ctx.modelDir, { recursive: true, force: true });
    await cp(path.join(params.modelsDir, best.member), ctx.modelDir, { recursive: true });
  }
  const result: SelectResult = { metric, best: best.member, members: rows };
  await writeJson(path.join(ctx.outDir, 'metrics.json'), { ...winner, model: 'sweep-best', selected_member: best.member, selected_by: metric });
  await writeJson(path.join(ctx.outDir, 'selection.json'), result);
  return result;
}
