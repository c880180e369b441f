/**
 * The model registry's vocabulary. The state lives in `models/registry.json` (committed, like
 * pipeline.lock); every promotion and rollback is also appended to `models/registry-log.jsonl`.
 * Generic: a model is a name, versions carry metrics, a fingerprint and file digests — nothing
 * here knows about tensors.
 */

/** One file of a registered version. */
export interface FileDigest {
  /** Relative to the project root. */
  path: string;
  /** Hex SHA-256 of the content. */
  sha256: string;
  size: number;
}

/** When a version may hold the `production` alias: `metric` must be at least (max) / at most (min) `threshold`. */
export interface Gate {
  metric: string;
  /** 'max': higher is better, pass when ≥ threshold; 'min': lower is better, pass when ≤ threshold. */
  direction: 'max' | 'min';
  threshold: number;
}

/** The gate's verdict on one version, stored with it. */
export interface GateResult {
  gate: Gate;
  /** The metric's value, or null when the version lacks it (which fails the gate). */
  value: number | null;
  passed: boolean;
}

/** One registered version of a model. */
export interface ModelVersion {
  /** 1, 2, 3… per model name. */
  version: number;
  /** The producing stage's fingerprint (the identity: registering it again is a no-op). */
  fingerprint: string;
  /** Which stage produced it, when known. */
  stage?: string;
  /** Which compared model (`reports/<member>/metrics.json`) it is, when the registered name is a task: `translate/dot`. */
  member?: string;
  metrics: Record<string, number>;
  files: FileDigest[];
  /** The gate evaluated at registration, if one applied. */
  gate?: GateResult;
  /** Set when a rollback took the alias away from this version: automatic promotion skips it. */
  rolledBack?: boolean;
  registeredAt: string;
}

/** A model: its versions and aliases. */
export interface ModelEntry {
  versions: ModelVersion[];
  /** Version number holding the `production` alias, if any. */
  production?: number;
  /** Versions that held `production` before the current one, oldest first (what rollback pops). */
  previous: number[];
}

/** The whole registry file. */
export interface RegistryState {
  schema: 1;
  models: Record<string, ModelEntry>;
}

/** A line of `registry-log.jsonl`. */
export interface LogEntry {
  time: string;
  action: 'promote' | 'rollback';
  model: string;
  /** Version that held `production` before (null: none). */
  from: number | null;
  /** Version that holds it after (null: none). */
  to: number | null;
  /** Who asked: the promote stage or a person at the CLI. */
  by: 'stage' | 'cli';
  reason: string;
}

/** What registration and promotion decided for one candidate (what reports/promotion.json lists). */
export interface Decision {
  model: string;
  version: number;
  /** False when this fingerprint was already registered (no new version). */
  registered: boolean;
  promoted: boolean;
  /** Production version after the decision. */
  production: number | null;
  /** The member (`translate/additive`) that made the production version, when it names one. */
  productionMember: string | null;
  /** One sentence: why it was or was not promoted. */
  reason: string;
  gate?: GateResult;
}
