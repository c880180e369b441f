/**
 * Fingerprints: everything that decides whether a stage must rerun, reduced to one digest,
 * and the reasons two fingerprints differ (what `status` and `explain` print).
 */
import { exec } from 'node:child_process';
import type { ChangeReason, Diagnostic, Fingerprint, LockEntry, Result, Sha256, Stage } from '../types.ts';
import { canonicalJson, sha256 } from './fs-util.ts';
import { type Hasher, normRel, type PathInfo } from './hasher.ts';
import { findCodeDeps } from './imports.ts';

/** In-flight runtime commands per memo map, so concurrent stages share one child process. */
const inflight = new WeakMap<Map<string, string>, Map<string, Promise<string>>>();

/**
 * Computes a stage's fingerprint. A declared dep that does not exist is a located
 * diagnostic naming the stage and the path. Pass the same `runtimeMemo` to every call of
 * one invocation so each `runtime` command runs once.
 *
 * `previous` (the stage's lock entry) only saves work: when every input equals what it
 * recorded, its fingerprint is the digest of this very body, so serialising and hashing the
 * body again (most of the cost of a no-op run's fingerprints) is skipped.
 */
export async function computeFingerprint(
  stage: Stage,
  root: string,
  hasher: Hasher,
  runtimeMemo: Map<string, string> = new Map(),
  previous?: LockEntry,
): Promise<Result<Fingerprint>> {
  // Most deps are stat-cache hits, answered without a promise; only the rest are awaited.
  const depInfos: (PathInfo | undefined | null)[] = stage.deps.map((dep) => hasher.peek(dep));
  for (let i = 0; i < depInfos.length; i++) {
    if (depInfos[i] === null) depInfos[i] = await hasher.info(stage.deps[i] as string);
  }
  const diagnostics: Diagnostic[] = [];
  // Path-keyed maps without a prototype: V8 keeps them as hash tables from the start, instead
  // of deriving a new hidden class for every distinct path added (thousands in a large run).
  const deps: Record<string, Sha256> = Object.create(null) as Record<string, Sha256>;
  stage.deps.forEach((dep, i) => {
    const info = depInfos[i];
    if (info) deps[normRel(dep)] = info.digest;
    else {
      diagnostics.push({
        severity: 'error',
        message: `Stage "${stage.name}": dep "${dep}" does not exist.`,
        location: stage.depLocations?.[i] ?? stage.location,
        hint: 'Create it, or declare it in the outs of the stage that produces it.',
      });
    }
  });
  if (diagnostics.length > 0) return { ok: false, error: diagnostics };

  const codePaths = await findCodeDeps(root, stage.cmd, stage.wdir, hasher);
  const codeDigests = await Promise.all(codePaths.map((p) => hasher.hashFile(p)));
  const code: Record<string, Sha256> = Object.create(null) as Record<string, Sha256>;
  codePaths.forEach((p, i) => {
    code[p] = codeDigests[i] as Sha256;
  });

  const runtime: Record<string, string> = {};
  for (const name of stage.env) runtime[`env:${name}`] = process.env[name] ?? '';
  const outputs = await Promise.all(stage.runtime.map((c) => runtimeValue(c, root, runtimeMemo)));
  stage.runtime.forEach((c, i) => {
    runtime[`cmd:${c}`] = outputs[i] as string;
  });

  const body = {
    cmd: stage.cmd,
    wdir: normRel(stage.wdir),
    params: stage.params,
    deps,
    code,
    runtime,
    outs: [...new Set(stage.outs.map(normRel))].sort(),
  };
  const digest = previous && sameInputs(body, previous) ? previous.fingerprint : sha256(canonicalJson(body));
  return { ok: true, value: { digest, ...body } };
}

/** Whether a fingerprint body equals the inputs a lock entry recorded, field by field. */
export function sameInputs(body: Omit<Fingerprint, 'digest'>, entry: LockEntry): boolean {
  if (body.cmd !== entry.cmd || body.wdir !== (entry.wdir ?? '')) return false;
  if (!sameRecord(body.deps, entry.deps) || !sameRecord(body.code, entry.code) || !sameRecord(body.runtime, entry.runtime)) return false;
  if (body.outs.length !== entry.outs.length || entry.outs.some((o, i) => o.path !== body.outs[i])) return false;
  return sameRecord(body.params, entry.params) || canonicalJson(body.params) === canonicalJson(entry.params);
}

/** Same keys with identical (===) values; nested values compare unequal unless identical. */
function sameRecord(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  let n = 0;
  for (const k in a) {
    if (!Object.hasOwn(a, k)) continue;
    n++;
    if (a[k] !== b[k] || !Object.hasOwn(b, k)) return false;
  }
  for (const k in b) if (Object.hasOwn(b, k)) n--;
  return n === 0;
}

/** Trimmed stdout of a runtime command; a failing command yields a stable marker, not an error. */
function runtimeValue(command: string, root: string, memo: Map<string, string>): Promise<string> {
  const key = `cmd:${command}`;
  const done = memo.get(key);
  if (done !== undefined) return Promise.resolve(done);
  let running = inflight.get(memo);
  if (!running) inflight.set(memo, (running = new Map()));
  let p = running.get(key);
  if (!p) {
    p = new Promise<string>((resolve) => {
      exec(command, { cwd: root, timeout: 60_000, maxBuffer: 16 << 20 }, (error, stdout) => {
        const out = String(stdout).trim();
        const value = error && out === '' ? `(failed: exit code ${String(error.code ?? error.signal ?? 'unknown')})` : out;
        memo.set(key, value);
        resolve(value);
      });
    });
    running.set(key, p);
  }
  return p;
}

/**
 * Every difference between a fingerprint and the lock entry of the stage's last run, in a
 * fixed order: cmd, wdir, params, deps, code, runtime, declared outs (keys sorted in each).
 */
export function explainChanges(fp: Fingerprint, before: LockEntry): ChangeReason[] {
  const reasons: ChangeReason[] = [];
  if (fp.cmd !== before.cmd) reasons.push({ kind: 'cmd', before: before.cmd, after: fp.cmd });
  const wdirBefore = before.wdir ?? '';
  if (fp.wdir !== wdirBefore) reasons.push({ kind: 'wdir', before: wdirBefore, after: fp.wdir });
  diffParams('', before.params, fp.params, reasons);
  for (const [kind, a, b] of [['dep', before.deps, fp.deps] as const, ['code', before.code, fp.code] as const]) {
    for (const path of unionKeys(a, b)) {
      const change = !(path in b) ? 'removed' : !(path in a) ? 'added' : a[path] !== b[path] ? 'modified' : undefined;
      if (change) reasons.push({ kind, path, change });
    }
  }
  for (const key of unionKeys(before.runtime, fp.runtime)) {
    const [x, y] = [before.runtime[key], fp.runtime[key]];
    if (x !== y) reasons.push({ kind: 'runtime', key, ...(x !== undefined && { before: x }), ...(y !== undefined && { after: y }) });
  }
  const outsBefore = new Set(before.outs.map((o) => o.path));
  const outsNow = new Set(fp.outs);
  for (const path of [...new Set([...outsBefore, ...outsNow])].sort()) {
    if (outsBefore.has(path) !== outsNow.has(path)) reasons.push({ kind: 'out', path, change: 'declared' });
  }
  return reasons;
}

/** Param differences; nested objects are compared member by member (`ex1.epochs`). */
function diffParams(prefix: string, a: Record<string, unknown>, b: Record<string, unknown>, out: ChangeReason[]): void {
  for (const k of unionKeys(a, b)) {
    const key = prefix + k;
    const [x, y] = [a[k], b[k]];
    if (canonicalJson(x) === canonicalJson(y)) continue;
    if (isPlain(x) && isPlain(y)) diffParams(`${key}.`, x, y, out);
    else out.push({ kind: 'param', key, before: x, after: y });
  }
}

function unionKeys(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

function isPlain(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}
