/**
 * What differs between two locks, stage by stage, in words: the reproduction check
 * (`scripts/check-reproduction.sh`) prints it when a fresh run's lock is not the committed one,
 * so that the stages to look at — and whether their inputs or only their outputs moved — are named.
 */
import type { LockEntry, LockFile } from '../types.ts';

/** One line per difference (`stage "x": out reports/x/metrics.json: a1b2… → c3d4…`); empty when equal. */
export function diffLocks(committed: LockFile, now: LockFile): string[] {
  const lines: string[] = [];
  const names = [...new Set([...Object.keys(committed.stages), ...Object.keys(now.stages)])].sort();
  for (const name of names) {
    const a = committed.stages[name];
    const b = now.stages[name];
    if (!a) lines.push(`stage "${name}": not in the committed lock`);
    else if (!b) lines.push(`stage "${name}": in the committed lock, not recorded by this run`);
    else lines.push(...diffEntry(a, b).map((d) => `stage "${name}": ${d}`));
  }
  return lines;
}

function diffEntry(a: LockEntry, b: LockEntry): string[] {
  const out: string[] = [];
  if (a.cmd !== b.cmd) out.push(`command: ${a.cmd} → ${b.cmd}`);
  // Inputs first: a changed input explains changed outputs; outputs alone mean non-determinism.
  const maps: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['param', a.params, b.params], ['dep', a.deps, b.deps], ['code', a.code, b.code], ['runtime', a.runtime, b.runtime],
  ];
  for (const [what, x, y] of maps) {
    for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) {
      const [u, v] = [JSON.stringify(x[k]), JSON.stringify(y[k])];
      if (u !== v) out.push(`${what} ${k}: ${short(u)} → ${short(v)}`);
    }
  }
  const outsA = new Map(a.outs.map((o) => [o.path, o.digest]));
  const outsB = new Map(b.outs.map((o) => [o.path, o.digest]));
  for (const p of [...new Set([...outsA.keys(), ...outsB.keys()])].sort()) {
    if (outsA.get(p) !== outsB.get(p)) out.push(`out ${p}: ${short(outsA.get(p))} → ${short(outsB.get(p))}`);
  }
  if (out.length === 0 && a.fingerprint !== b.fingerprint) out.push(`fingerprint: ${short(a.fingerprint)} → ${short(b.fingerprint)}`);
  return out;
}

function short(v: string | undefined): string {
  if (v === undefined) return '(none)';
  const s = v.replace(/^"|"$/g, '');
  return /^[0-9a-f]{64}$/.test(s) ? `${s.slice(0, 12)}…` : s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
