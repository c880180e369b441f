/**
 * Registry operations on an in-memory state: register, gated promotion, manual promotion and
 * rollback. Pure apart from the clock; each returns what changed so that the caller (the store)
 * can write the state and the log together.
 */
import type { Decision, FileDigest, Gate, GateResult, LogEntry, ModelEntry, ModelVersion, RegistryState } from './types.ts';

/** An empty registry. */
export function emptyRegistry(): RegistryState {
  return { schema: 1, models: {} };
}

/** A version to register. */
export interface Candidate {
  name: string;
  fingerprint: string;
  stage?: string;
  member?: string;
  metrics: Record<string, number>;
  files: FileDigest[];
}

/** Applies a gate to a metrics record. */
export function checkGate(gate: Gate, metrics: Record<string, number>): GateResult {
  const raw = metrics[gate.metric];
  const value = typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
  const passed = value !== null && (gate.direction === 'max' ? value >= gate.threshold : value <= gate.threshold);
  return { gate, value, passed };
}

/** True when `a` is strictly better than `b` on the gate's metric. */
function beats(gate: Gate, a: number, b: number): boolean {
  return gate.direction === 'max' ? a > b : a < b;
}

function entryOf(state: RegistryState, name: string): ModelEntry {
  let e = state.models[name];
  if (!e) {
    e = { versions: [], previous: [] };
    state.models[name] = e;
  }
  return e;
}

/** The version `version` of `name`, if registered. */
export function findVersion(state: RegistryState, name: string, version: number): ModelVersion | undefined {
  return state.models[name]?.versions.find((v) => v.version === version);
}

/**
 * Registers `c` as a new version of its model unless a version with the same fingerprint exists
 * (then that one is returned with `created: false`). Mutates `state`.
 */
export function register(state: RegistryState, c: Candidate, gate?: Gate, now = new Date()): { version: ModelVersion; created: boolean } {
  const entry = entryOf(state, c.name);
  const known = entry.versions.find((v) => v.fingerprint === c.fingerprint);
  if (known) return { version: known, created: false };
  const version: ModelVersion = {
    version: entry.versions.reduce((m, v) => Math.max(m, v.version), 0) + 1,
    fingerprint: c.fingerprint,
    ...(c.stage !== undefined ? { stage: c.stage } : {}),
    ...(c.member !== undefined ? { member: c.member } : {}),
    metrics: { ...c.metrics },
    files: [...c.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    ...(gate ? { gate: checkGate(gate, c.metrics) } : {}),
    registeredAt: now.toISOString(),
  };
  entry.versions.push(version);
  return { version, created: true };
}

function moveAlias(entry: ModelEntry, to: number): void {
  if (entry.production !== undefined) entry.previous.push(entry.production);
  entry.production = to;
}

function log(action: LogEntry['action'], model: string, from: number | undefined, to: number | undefined, by: LogEntry['by'], reason: string, now: Date): LogEntry {
  return { time: now.toISOString(), action, model, from: from ?? null, to: to ?? null, by, reason };
}

/**
 * Registers `c` and moves `production` to it when it passes `gate` and beats the current
 * production version on the gate's metric. A version once rolled back is not promoted again
 * automatically. Mutates `state`; returns the decision and the log entry, if any.
 */
export function registerAndPromote(state: RegistryState, c: Candidate, gate: Gate, now = new Date()): { decision: Decision; log?: LogEntry } {
  const { version, created } = register(state, c, gate, now);
  const entry = entryOf(state, c.name);
  const result = checkGate(gate, version.metrics);
  const base = { model: c.name, version: version.version, registered: created, gate: result };
  const memberOf = (v: number | undefined): string | null => (v === undefined ? null : findVersion(state, c.name, v)?.member ?? null);
  const stay = (reason: string): { decision: Decision } => ({
    decision: { ...base, promoted: false, production: entry.production ?? null, productionMember: memberOf(entry.production), reason },
  });
  if (entry.production === version.version) return stay(`version ${version.version} already holds production.`);
  if (version.rolledBack) return stay(`version ${version.version} was rolled back; promote it by hand to restore it.`);
  const shown = result.value === null ? 'missing' : String(result.value);
  if (!result.passed) {
    return stay(`${gate.metric} ${shown} fails the gate (${gate.direction === 'max' ? '≥' : '≤'} ${gate.threshold}).`);
  }
  const current = entry.production !== undefined ? findVersion(state, c.name, entry.production) : undefined;
  const currentValue = current ? checkGate(gate, current.metrics).value : null;
  if (current && currentValue !== null && !beats(gate, result.value!, currentValue)) {
    return stay(`${gate.metric} ${shown} does not beat production version ${current.version} (${currentValue}).`);
  }
  const from = entry.production;
  moveAlias(entry, version.version);
  const reason = current
    ? `${gate.metric} ${shown} passes the gate and beats version ${current.version} (${currentValue ?? 'missing'}).`
    : `${gate.metric} ${shown} passes the gate; no production version before.`;
  return {
    decision: { ...base, promoted: true, production: version.version, productionMember: memberOf(version.version), reason },
    log: log('promote', c.name, from, version.version, 'stage', reason, now),
  };
}

/** A user mistake in a registry command, or an invalid registry file: one sentence, no stack. */
export class RegistryError extends Error {}

/**
 * Moves `production` of `name` to `version` by hand. A version that failed its gate needs
 * `force`. Mutates `state`.
 */
export function promoteManually(state: RegistryState, name: string, version: number, opts: { force?: boolean; now?: Date } = {}): LogEntry {
  const entry = state.models[name];
  if (!entry) throw new RegistryError(`Model "${name}" is not registered.`);
  const v = findVersion(state, name, version);
  if (!v) throw new RegistryError(`Model "${name}" has no version ${version} (versions: ${entry.versions.map((x) => x.version).join(', ')}).`);
  if (entry.production === version) throw new RegistryError(`Version ${version} of "${name}" already holds production.`);
  if (v.gate && !v.gate.passed && !opts.force) {
    throw new RegistryError(`Version ${version} of "${name}" failed its gate (${v.gate.gate.metric} ${v.gate.value ?? 'missing'}); use --force to promote it anyway.`);
  }
  const from = entry.production;
  moveAlias(entry, version);
  delete v.rolledBack;
  return log('promote', name, from, version, 'cli', `manual promotion${opts.force ? ' (forced)' : ''}`, opts.now ?? new Date());
}

/**
 * Gives `production` of `name` back to the version that held it before, and marks the version
 * it leaves as rolled back. Mutates `state`.
 */
export function rollback(state: RegistryState, name: string, opts: { by?: LogEntry['by']; now?: Date } = {}): LogEntry {
  const entry = state.models[name];
  if (!entry) throw new RegistryError(`Model "${name}" is not registered.`);
  if (entry.production === undefined) throw new RegistryError(`Model "${name}" has no production version to roll back.`);
  const leaving = entry.production;
  const back = entry.previous.pop();
  if (back === undefined) delete entry.production;
  else entry.production = back;
  const v = findVersion(state, name, leaving);
  if (v) v.rolledBack = true;
  const reason = back === undefined ? 'rollback: no earlier production version, alias removed' : `rollback to version ${back}`;
  return log('rollback', name, leaving, back, opts.by ?? 'cli', reason, opts.now ?? new Date());
}

/**
 * The version a reference names: `NAME` or `NAME@production` (the production version),
 * `NAME@3` or `NAME@v3`. A reference to nothing is a `RegistryError` saying what exists.
 */
export function resolveVersion(state: RegistryState, ref: string): { model: string; version: ModelVersion } {
  const at = ref.lastIndexOf('@');
  const model = at < 0 ? ref : ref.slice(0, at);
  const which = at < 0 ? 'production' : ref.slice(at + 1);
  const entry = state.models[model];
  if (!entry) {
    const known = Object.keys(state.models).sort();
    throw new RegistryError(`Model "${model}" is not registered${known.length > 0 ? ` (registered: ${known.join(', ')})` : ''}.`);
  }
  const versions = entry.versions.map((x) => x.version).join(', ');
  if (which === 'production') {
    const v = entry.production === undefined ? undefined : findVersion(state, model, entry.production);
    if (!v) throw new RegistryError(`Model "${model}" has no production version; name one (versions: ${versions}).`);
    return { model, version: v };
  }
  const n = /^v?(\d+)$/.exec(which);
  const v = n ? findVersion(state, model, Number(n[1])) : undefined;
  if (!v) throw new RegistryError(`Model "${model}" has no version "${which}" (versions: ${versions}; or @production).`);
  return { model, version: v };
}
