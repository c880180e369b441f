/**
 * The paper's result tables as bare `tabular`s (main.tex places them and writes the captions).
 * Their cells are macros, never literals: measured values come from `numbers.tex` (declared in
 * `paper-numbers.ts`, checked by `pipeline verify`), constants from `published.tex` (declared in
 * `published.ts`). A table is therefore a function of the declarations only, can never disagree
 * with the text, and needs no metrics to be generated.
 */
import {
  EX3_MODELS, PAPER_NUMBERS, SPAM_BASELINE, SPAM_CELLS, SPAM_MASKS, TRANSLATE_ATTENTIONS, TRANSLATE_ENCODERS, macroPart,
} from './paper-numbers.ts';
import { anchor } from './published.ts';

const declared = new Set(PAPER_NUMBERS.map((d) => d.macro));

/** `\macro` of a measured number; throws when it is not declared (a table naming a number no one produces). */
function ours(macro: string): string {
  if (!declared.has(macro)) throw new Error(`table cell \\${macro} is not declared in lib/report/paper-numbers.ts`);
  return `\\${macro}`;
}

/** `\macro` of a published or target constant (throws when it is not declared). */
function pub(macro: string): string {
  return `\\${anchor(macro).macro}`;
}

const DASH = '--';

/** A row of the comparison: a label, its value cells, and the constants it quotes (for citations). */
interface Row {
  label: string;
  cells: string[];
  anchors?: string[];
}

/** `\citep{a,b}` for the constants of a row, `(course)` for the course's; the project's own targets say so in their label. */
function sourceOf(anchors: readonly string[]): string {
  const list = anchors.map(anchor);
  const keys = [...new Set(list.flatMap((a) => a.cite))];
  if (keys.length > 0) return `~\\citep{${keys.join(',')}}`;
  return list.some((a) => a.source === 'course') ? ' (course)' : '';
}

function group(title: string, columns: [string, string], rows: Row[]): string[] {
  return [
    `\\textit{${title}} & \\textit{${columns[0]}} & \\textit{${columns[1]}} \\\\`,
    ...rows.map((r) => `\\quad ${r.label}${sourceOf(r.anchors ?? [])} & ${r.cells.join(' & ')} \\\\`),
  ];
}

function pubRow(label: string, macros: (string | null)[]): Row {
  const named = macros.filter((m): m is string => m !== null);
  return { label, cells: macros.map((m) => (m === null ? DASH : pub(m))), anchors: named };
}

/**
 * Our results next to the published numbers and the course's targets, one block per task, as two
 * tabulars side by side (G2P and the exercises | frame prediction and spam) to keep the paper short;
 * the caption in main.tex states that the video and G2P data differ from the published setups.
 */
export function publishedTableTex(): string {
  const left = [
    ...group('G2P, CMUdict', ['PER\\,\\% $\\downarrow$', 'WER\\,\\% $\\downarrow$'], [
      pubRow('Sequitur', ['pubSequiturPer', 'pubSequiturWer']),
      pubRow('Bi-LSTM', ['pubBiLstmPer', 'pubBiLstmWer']),
      pubRow('Attention ensemble', ['pubEnsemblePer', 'pubEnsembleWer']),
      pubRow('Small Bi-LSTM + attn.', [null, 'pubSmallAttnWer']),
      pubRow('Project target', ['targetGtpPer', 'targetGtpWer']),
      { label: 'Ours', cells: [ours('gtpPer'), ours('gtpWer')] },
    ]),
    '\\midrule',
    ...group('Exercises 1 / 2', ['Acc.\\,\\% $\\uparrow$', 'MAE $\\downarrow$'], [
      pubRow('Target', ['targetExOneAcc', 'targetExTwoMae']),
      { label: 'Ours', cells: [ours('exOneAcc'), ours('exTwoMae')] },
    ]),
  ];
  const right = [
    ...group('Frame prediction', ['SSE/frame $\\downarrow$', 'MSE $\\downarrow$'], [
      pubRow('ConvLSTM', ['pubConvLstmSse', null]),
      pubRow('PredRNN', ['pubPredRnnSse', null]),
      pubRow('SimVP v2', ['pubSimVpSse', null]),
      pubRow('Target', [null, 'targetExThreeMse']),
      { label: 'Ours, improved', cells: [ours('exThreeFullSse'), ours('exThreeFullMse')] },
      { label: 'Ours, baseline', cells: [ours('exThreeBaselineSse'), ours('exThreeBaselineMse')] },
    ]),
    '\\midrule',
    ...group('Spam', ['Acc.\\,\\% $\\uparrow$', 'F1 $\\uparrow$'], [
      pubRow('Bag of words + LR', ['pubGeronBowAcc', null]),
      { label: 'Ours, bag of words + LR', cells: [ours(`spam${macroPart(SPAM_BASELINE)}Acc`), ours(`spam${macroPart(SPAM_BASELINE)}FOne`)] },
      { label: 'Ours, LSTM + attention', cells: [ours('spamLstmAttentionMaskedAcc'), ours('spamLstmAttentionMaskedFOne')] },
    ]),
  ];
  const header = 'System & \\multicolumn{2}{c}{Test result} \\\\';
  return `${tabular('@{}lrr@{}', header, left)}\\hfill\n${tabular('@{}lrr@{}', header, right)}`;
}

/** Every spam cell, masked and unmasked: accuracy, its difference to the masked bag-of-words baseline, F1. */
export function spamTableTex(): string {
  const delta = (member: string): string => (member === SPAM_BASELINE ? DASH : ours(`spam${macroPart(member)}DeltaAcc`));
  const rows = SPAM_CELLS.map((cell) => [
    cell.replace(/-/g, ' '),
    ...SPAM_MASKS.flatMap((mask) => {
      const m = `${cell}-${mask}`;
      return [ours(`spam${macroPart(m)}Acc`), delta(m), ours(`spam${macroPart(m)}FOne`)];
    }),
  ].join(' & ') + ' \\\\');
  return tabular('@{}lrrrrrr@{}', [
    ' & \\multicolumn{3}{c}{masked} & \\multicolumn{3}{c}{unmasked} \\\\',
    '\\cmidrule(lr){2-4}\\cmidrule(l){5-7}',
    'Cell & Acc.\\,\\% & $\\Delta$ & F1 & Acc.\\,\\% & $\\Delta$ & F1 \\\\',
  ].join('\n'), rows);
}

/**
 * Date normalisation: exact match of every attention (Bi-LSTM encoder) and every encoder (best
 * attention), one column per model so that the table is wide and short.
 */
export function translateTableTex(): string {
  const members = [...TRANSLATE_ATTENTIONS.map((a) => ['tr', a] as const), ...TRANSLATE_ENCODERS.map((e) => ['trEnc', e] as const)];
  const row = (label: string, suffix: string): string =>
    `${label} & ${members.map(([prefix, m]) => ours(`${prefix}${macroPart(m)}${suffix}`)).join(' & ')} \\\\`;
  const header = [
    ` & \\multicolumn{${TRANSLATE_ATTENTIONS.length}}{c}{Attention (Bi-LSTM encoder)} & \\multicolumn{${TRANSLATE_ENCODERS.length}}{c}{Encoder (\\datesAttention{} attention)} \\\\`,
    `\\cmidrule(lr){2-${TRANSLATE_ATTENTIONS.length + 1}}\\cmidrule(l){${TRANSLATE_ATTENTIONS.length + 2}-${members.length + 1}}`,
    `Decoding & ${members.map(([, m]) => m).join(' & ')} \\\\`,
  ].join('\n');
  return tabular(`@{}l${'r'.repeat(members.length)}@{}`, header, [row('Greedy', 'Em'), row('Beam', 'BeamEm')]);
}

/** Exercise 3's ablation: every model's test MSE, late-frame MSE, per-frame SSE and size. */
export function ablationTableTex(): string {
  return tabular('@{}lrrrr@{}', 'Model & MSE & Late MSE & SSE / frame & Params \\\\', EX3_MODELS.map((v) => {
    const m = `exThree${macroPart(v)}`;
    return `${v} & ${ours(`${m}Mse`)} & ${ours(`${m}LateMse`)} & ${ours(`${m}Sse`)} & ${ours(`${m}Params`)} \\\\`;
  }));
}

function tabular(spec: string, header: string, rows: readonly string[]): string {
  return [
    '% generated by the paper-numbers stage (lib/report/paper-tables.ts); cells are macros of numbers.tex and published.tex',
    `\\begin{tabular}{${spec}}`, '\\toprule', header, '\\midrule', ...rows, '\\bottomrule', '\\end{tabular}', '',
  ].join('\n');
}

/** Every generated table: file name under `paper/generated/tables/` → TeX. */
export function paperTables(): Record<string, string> {
  return { 'published.tex': publishedTableTex(), 'spam.tex': spamTableTex(), 'translate.tex': translateTableTex(), 'ablation.tex': ablationTableTex() };
}
