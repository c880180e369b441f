/**
 * Plain-English rendering of change reasons and stage states, for `status`, `explain` and
 * `run --dry-run`.
 */
import type { ChangeReason, StageState } from '../types.ts';
import { unreachable } from '../types.ts';

function short(v: unknown): string {
  const s = v === undefined ? '(unset)' : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/** One reason as a short phrase: `param ex1.n: 1000 → 64`. */
export function describeReason(r: ChangeReason): string {
  switch (r.kind) {
    case 'cmd':
      return `command changed: ${short(r.before)} → ${short(r.after)}`;
    case 'param':
      return `param ${r.key}: ${short(r.before)} → ${short(r.after)}`;
    case 'dep':
      return `dep ${r.path} ${r.change}`;
    case 'code':
      return `code ${r.path} ${r.change}`;
    case 'runtime':
      return `runtime ${r.key}: ${short(r.before)} → ${short(r.after)}`;
    case 'out':
      return r.change === 'declared' ? `out ${r.path} newly declared` : `out ${r.path} ${r.change}`;
    case 'wdir':
      return `working directory: ${short(r.before)} → ${short(r.after)}`;
    case 'upstream':
      return `upstream ${r.stage} is not fresh`;
    default:
      return unreachable(r);
  }
}

/** The state's label as `status` prints it. */
export function stateLabel(s: StageState): string {
  return s.state;
}
