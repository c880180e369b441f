/**
 * Text shared by the reporters: progress lines and the final summary.
 */
import type { ProgressEvent, StageOutcome } from '../types.ts';
import { formatBytes, formatDuration, paint } from '../cli/io.ts';

function num(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(1) : a >= 1 ? v.toFixed(3).replace(/0+$/, '').replace(/\.$/, '') : v.toPrecision(3);
}

/** `epoch 3/20 loss 0.41 ETA 12s` from a progress event. */
export function formatProgress(p: ProgressEvent): string {
  const parts: string[] = [];
  if (p.message) parts.push(p.message);
  else if (p.step !== undefined) parts.push(p.total !== undefined ? `step ${p.step}/${p.total}` : `step ${p.step}`);
  if (p.values && !p.message) for (const [k, v] of Object.entries(p.values)) parts.push(`${k} ${num(v)}`);
  // reportEpoch's messages carry their own ETA; a second one would only repeat it.
  const hasEta = p.message?.includes('ETA') ?? false;
  if (!hasEta && p.t !== undefined && p.step !== undefined && p.total !== undefined && p.step > 0 && p.step < p.total) {
    parts.push(`ETA ${formatDuration((p.t / p.step) * (p.total - p.step))}`);
  }
  return parts.join(' ');
}

/** Short description of one outcome: `ran 1.2s, 45.0 MiB`. */
export function describeOutcome(o: StageOutcome): string {
  const bits: string[] = [o.status];
  if (o.status === 'ran' || o.status === 'failed' || o.status === 'restored') bits.push(formatDuration(o.durationMs));
  if (o.peakRssBytes !== undefined) bits.push(formatBytes(o.peakRssBytes));
  return bits.join(' ');
}

/** Last `n` non-empty lines of a log tail, indented. */
export function indentTail(tail: string, n = 20): string {
  const lines = tail.replace(/\s+$/, '').split('\n').slice(-n);
  return lines.map((l) => `    │ ${l}`).join('\n');
}

/**
 * The final summary: counts with times, then each failure with its error and log tail.
 * `tails` maps failed stage names to the tails of their logs.
 */
export function formatSummary(outcomes: StageOutcome[], durationMs: number, tails: Map<string, string>, color: boolean): string {
  const count = (s: StageOutcome['status']) => outcomes.filter((o) => o.status === s).length;
  const time = (s: StageOutcome['status']) => outcomes.filter((o) => o.status === s).reduce((a, o) => a + o.durationMs, 0);
  const parts = [
    `${count('ran')} ran${count('ran') ? ` (${formatDuration(time('ran'))})` : ''}`,
    `${count('cached')} cached`,
    `${count('restored')} restored${count('restored') ? ` (${formatDuration(time('restored'))})` : ''}`,
    `${count('skipped')} skipped`,
    `${count('failed')} failed`,
  ];
  const failed = count('failed') > 0;
  const head = failed ? paint(color, 'red', '✖ Pipeline failed') : paint(color, 'green', '✔ Pipeline done');
  const lines = [`${head}: ${parts.join(', ')} — ${formatDuration(durationMs)} wall`];
  for (const o of outcomes) {
    if (o.status !== 'failed') continue;
    lines.push(`  ${paint(color, 'red', '✖')} ${o.error ?? `Stage "${o.name}" failed.`}`);
    const tail = tails.get(o.name);
    if (tail && tail.trim()) lines.push(paint(color, 'dim', indentTail(tail)));
    if (o.log) lines.push(`    log: ${o.log}`);
  }
  const skipped = outcomes.filter((o) => o.status === 'skipped');
  if (skipped.length > 0 && failed) lines.push(`  ${skipped.length} skipped: ${skipped.map((o) => o.name).join(', ')}`);
  return lines.join('\n') + '\n';
}
