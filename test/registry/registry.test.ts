import { describe, expect, it } from 'vitest';
import {
  type Candidate, type Gate, RegistryError, checkGate, emptyRegistry, promoteManually, register, registerAndPromote, rollback,
} from '../../lib/registry/index.ts';

const ACC: Gate = { metric: 'test_accuracy', direction: 'max', threshold: 0.75 };
const MSE: Gate = { metric: 'test_mse', direction: 'min', threshold: 0.25 };
const now = new Date('2026-01-01T00:00:00Z');

function cand(fingerprint: string, metrics: Record<string, number>, name = 'ex1'): Candidate {
  return { name, fingerprint, stage: 'train-ex1', metrics, files: [{ path: `models/${name}/w.bin`, sha256: fingerprint.padEnd(64, '0'), size: 1 }] };
}

describe('checkGate', () => {
  it('passes at the threshold and fails below it (max) or above it (min)', () => {
    expect(checkGate(ACC, { test_accuracy: 0.75 }).passed).toBe(true);
    expect(checkGate(ACC, { test_accuracy: 0.7499 }).passed).toBe(false);
    expect(checkGate(MSE, { test_mse: 0.25 }).passed).toBe(true);
    expect(checkGate(MSE, { test_mse: 0.3 }).passed).toBe(false);
  });
  it('fails when the metric is missing or not finite', () => {
    expect(checkGate(ACC, {})).toEqual({ gate: ACC, value: null, passed: false });
    expect(checkGate(ACC, { test_accuracy: NaN }).passed).toBe(false);
  });
});

describe('register', () => {
  it('numbers versions per model and treats a known fingerprint as a no-op', () => {
    const s = emptyRegistry();
    expect(register(s, cand('a', { test_accuracy: 0.8 }), ACC, now)).toMatchObject({ created: true, version: { version: 1 } });
    expect(register(s, cand('b', { test_accuracy: 0.8 }), ACC, now)).toMatchObject({ created: true, version: { version: 2 } });
    expect(register(s, cand('a', { test_accuracy: 0.1 }), ACC, now)).toMatchObject({ created: false, version: { version: 1 } });
    expect(register(s, cand('a', { test_mse: 0.1 }, 'ex2'), MSE, now)).toMatchObject({ created: true, version: { version: 1 } });
    expect(s.models.ex1?.versions.map((v) => v.fingerprint)).toEqual(['a', 'b']);
    expect(s.models.ex1?.versions[0]?.metrics).toEqual({ test_accuracy: 0.8 });
  });
});

describe('registerAndPromote', () => {
  it('promotes the first version that passes the gate, and logs it', () => {
    const s = emptyRegistry();
    const r = registerAndPromote(s, cand('a', { test_accuracy: 0.8 }), ACC, now);
    expect(r.decision).toMatchObject({ promoted: true, production: 1, registered: true });
    expect(r.log).toMatchObject({ action: 'promote', model: 'ex1', from: null, to: 1, by: 'stage' });
    expect(s.models.ex1?.production).toBe(1);
  });

  it('does not promote a version that fails the gate', () => {
    const s = emptyRegistry();
    const r = registerAndPromote(s, cand('a', { test_accuracy: 0.7 }), ACC, now);
    expect(r.decision.promoted).toBe(false);
    expect(r.decision.reason).toMatch(/fails the gate/);
    expect(r.log).toBeUndefined();
    expect(s.models.ex1?.production).toBeUndefined();
  });

  it('does not promote a worse (or equal) model over production, but does a better one', () => {
    const s = emptyRegistry();
    registerAndPromote(s, cand('a', { test_accuracy: 0.85 }), ACC, now);
    const worse = registerAndPromote(s, cand('b', { test_accuracy: 0.8 }), ACC, now);
    expect(worse.decision).toMatchObject({ promoted: false, production: 1, version: 2 });
    expect(worse.decision.reason).toMatch(/does not beat production version 1/);
    const equal = registerAndPromote(s, cand('c', { test_accuracy: 0.85 }), ACC, now);
    expect(equal.decision.promoted).toBe(false);
    const better = registerAndPromote(s, cand('d', { test_accuracy: 0.9 }), ACC, now);
    expect(better.decision).toMatchObject({ promoted: true, production: 4 });
    expect(better.log).toMatchObject({ from: 1, to: 4 });
  });

  it('uses lower-is-better for a min gate', () => {
    const s = emptyRegistry();
    registerAndPromote(s, cand('a', { test_mse: 0.2 }, 'ex2'), MSE, now);
    expect(registerAndPromote(s, cand('b', { test_mse: 0.22 }, 'ex2'), MSE, now).decision.promoted).toBe(false);
    expect(registerAndPromote(s, cand('c', { test_mse: 0.18 }, 'ex2'), MSE, now).decision.promoted).toBe(true);
    expect(s.models.ex2?.production).toBe(3);
  });

  it('is idempotent: the same candidate again changes nothing', () => {
    const s = emptyRegistry();
    registerAndPromote(s, cand('a', { test_accuracy: 0.8 }), ACC, now);
    const before = JSON.stringify(s);
    const again = registerAndPromote(s, cand('a', { test_accuracy: 0.8 }), ACC, new Date());
    expect(again.decision).toMatchObject({ registered: false, promoted: false, production: 1 });
    expect(again.log).toBeUndefined();
    expect(JSON.stringify(s)).toBe(before);
  });
});

describe('rollback', () => {
  it('restores the previous production version and marks the rolled-back one', () => {
    const s = emptyRegistry();
    registerAndPromote(s, cand('a', { test_accuracy: 0.8 }), ACC, now);
    registerAndPromote(s, cand('b', { test_accuracy: 0.9 }), ACC, now);
    expect(s.models.ex1?.production).toBe(2);
    const entry = rollback(s, 'ex1', { now });
    expect(entry).toMatchObject({ action: 'rollback', from: 2, to: 1, by: 'cli' });
    expect(s.models.ex1?.production).toBe(1);
    expect(s.models.ex1?.versions[1]?.rolledBack).toBe(true);
    // The stage does not promote a rolled-back version again on its own.
    expect(registerAndPromote(s, cand('b', { test_accuracy: 0.9 }), ACC, now).decision).toMatchObject({ promoted: false, production: 1 });
  });

  it('removes the alias when there was no earlier version, and refuses when there is none', () => {
    const s = emptyRegistry();
    registerAndPromote(s, cand('a', { test_accuracy: 0.8 }), ACC, now);
    expect(rollback(s, 'ex1', { now })).toMatchObject({ from: 1, to: null });
    expect(s.models.ex1?.production).toBeUndefined();
    expect(() => rollback(s, 'ex1')).toThrow(RegistryError);
    expect(() => rollback(s, 'nope')).toThrow(/not registered/);
  });
});

describe('promoteManually', () => {
  it('moves the alias, needs force for a version that failed its gate, and rejects unknown versions', () => {
    const s = emptyRegistry();
    registerAndPromote(s, cand('a', { test_accuracy: 0.8 }), ACC, now);
    registerAndPromote(s, cand('b', { test_accuracy: 0.5 }), ACC, now);
    expect(() => promoteManually(s, 'ex1', 2)).toThrow(/failed its gate/);
    expect(promoteManually(s, 'ex1', 2, { force: true, now })).toMatchObject({ from: 1, to: 2, by: 'cli' });
    expect(() => promoteManually(s, 'ex1', 9)).toThrow(/no version 9/);
    expect(() => promoteManually(s, 'ex1', 2)).toThrow(/already holds/);
    expect(rollback(s, 'ex1', { now })).toMatchObject({ from: 2, to: 1 });
  });
});
