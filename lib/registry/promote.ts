/**
 * The promote stage's logic: every row of `reports/compare.json` that has a model directory and
 * that `tasks` assigns to a task becomes a candidate version of that task's registered model
 * (the classifier's versions come from ex1 and the sweep's best, the date translator's from
 * every attention and encoder member…); the version records which member made it. A top-level
 * row no task claims is registered under its own name; a nested one (`sweep/…`) only when a
 * task claims it. The gate follows the row's primary metric — higher-is-better needs at least
 * `minAccuracy`, lower-is-better at most `maxMse` — and a candidate takes `production` when it
 * passes and beats the current version, so the task's best member ends up serving.
 *
 * Order matters because the engine moves the stage's declared outs aside while it runs, and
 * the registry is not one of them: the decision file is written first, the registry last (one
 * atomic rename), so a failure before the end leaves the registry as it was.
 */
import { createHash } from 'node:crypto';
import picomatch from 'picomatch';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Candidate, type Decision, type Gate, type LogEntry, archiveFiles, registerAndPromote, updateRegistry } from './index.ts';
import type { RunContext } from '../ml/experiments/common.ts';
import { writeJson } from '../ml/artifacts/json.ts';
import type { CompareResult } from './compare.ts';

/** Params of the promote stage. */
export interface PromoteParams {
  /** Project root (holds `models/registry.json`). */
  root: string;
  /** The compare stage's table (default `reports/compare.json`, relative to the root). */
  compareFile?: string;
  /** Gate for higher-is-better primary metrics (default 0.75). */
  minAccuracy?: number;
  /** Gate for lower-is-better primary metrics (default 0.25). */
  maxMse?: number;
  /** Registered model name → globs of compare rows (`ex1`, `translate/*`) whose versions it takes. */
  tasks?: Record<string, readonly string[]>;
}

/** The registered model a compare row belongs to, or null when it is not registered. */
export function taskOf(tasks: Record<string, readonly string[]>, row: string): string | null {
  for (const [task, globs] of Object.entries(tasks)) if (globs.some((g) => picomatch(g)(row))) return task;
  return row.includes('/') ? null : row;
}

/** What `promotion.json` holds. */
export interface PromoteResult {
  gates: { minAccuracy: number; maxMse: number };
  decisions: Decision[];
}

/** Registers and promotes every candidate; writes `promotion.json` to `ctx.outDir`, then the registry. */
export async function run(params: PromoteParams, ctx: RunContext): Promise<PromoteResult> {
  const minAccuracy = params.minAccuracy ?? 0.75;
  const maxMse = params.maxMse ?? 0.25;
  const table = JSON.parse(await readFile(path.join(params.root, params.compareFile ?? 'reports/compare.json'), 'utf8')) as CompareResult;
  // Files into the object store first (a version keeps its files when models/ is overwritten),
  // outside the registry lock, which is held only for the read-modify-write.
  const candidates: { gate: Gate; candidate: Candidate }[] = [];
  for (const row of table.models) {
    const name = taskOf(params.tasks ?? {}, row.model);
    if (name === null || row.modelDir === null || row.primary === null) continue;
    const gate: Gate = row.primary.direction === 'max'
      ? { metric: row.primary.metric, direction: 'max', threshold: minAccuracy }
      : { metric: row.primary.metric, direction: 'min', threshold: maxMse };
    const files = await archiveFiles(params.root, [row.modelDir, row.metricsFile]);
    // Without a lock entry (a hand-run stage), the content is the identity.
    const fingerprint = row.fingerprint ?? `content:${createHash('sha256').update(files.map((f) => `${f.path} ${f.sha256}`).join('\n')).digest('hex')}`;
    candidates.push({ gate, candidate: { name, member: row.model, fingerprint, ...(row.stage ? { stage: row.stage } : {}), metrics: row.metrics, files } });
  }
  // The decision file is written inside the update, before the registry, as before.
  return updateRegistry(params.root, async (state) => {
    const decisions: Decision[] = [];
    const log: LogEntry[] = [];
    for (const { gate, candidate } of candidates) {
      const { decision, log: entry } = registerAndPromote(state, candidate, gate);
      decisions.push(decision);
      if (entry) log.push(entry);
      ctx.onEpoch?.(decisions.length, table.models.length, { promoted: decision.promoted ? 1 : 0 });
    }
    const result: PromoteResult = { gates: { minAccuracy, maxMse }, decisions };
    await writeJson(path.join(ctx.outDir, 'promotion.json'), result);
    return { log, result };
  });
}
