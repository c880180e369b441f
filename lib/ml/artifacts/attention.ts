/**
 * `attention.json`, in the form each kind of model has: a classifier's weights over its input
 * steps (ex1), a forecaster's horizon × input maps (ex2), a seq2seq alignment of output × source
 * tokens (translate, g2p) and a text classifier's weights over its tokens (spam).
 */
import { type Json, Fields, readJson, writeJson } from './json.ts';

/** ex1: one row per shown test example. */
export interface ClassifierAttentionFile {
  model: string;
  steps: number;
  classes: readonly string[];
  examples: { index: number; label: string; predicted: string; signal: number[]; weights: number[] }[];
}

/** ex2: one horizon × input map per shown test window. */
export interface ForecastAttentionFile {
  model: string;
  input_steps: number;
  horizon: number;
  maps: { window: number; weights: number[][] }[];
}

/** One seq2seq example: `weights` is output × source; `index`/`target` (translate), `word` (g2p). */
export interface AlignmentMap {
  index?: number;
  word?: string;
  source: string[];
  output: string[];
  target?: string;
  weights: number[][];
}

/** translate, g2p: what the rows and columns are, and the examples. */
export interface AlignmentFile {
  model: string;
  rows: string;
  cols: string;
  maps: AlignmentMap[];
}

/** spam: a mail's tokens with one weight each. */
export interface TokenAttentionFile {
  model: string;
  maps: { mail: string; label: number; prob: number; tokens: string[]; weights: number[] }[];
}

/** Any of the forms. */
export type AttentionFile = ClassifierAttentionFile | ForecastAttentionFile | AlignmentFile | TokenAttentionFile;

/** Writes `attention.json` (keys in the order given). */
export function writeAttention(file: string, attention: AttentionFile): Promise<void> {
  return writeJson(file, attention);
}

/** Reads the file and hands each element of `list` (an array field) to `row`. */
async function readList<T>(file: string, list: string, row: (f: Fields, o: Record<string, Json>, at: (k: string) => string) => T) {
  const f = new Fields(file);
  const { doc, model } = f.root(await readJson(file));
  const rows = f.arr(doc[list], list).map((e, i) => row(f, f.obj(e, `${list}[${i}]`), (k) => `${list}[${i}].${k}`));
  return { f, doc, model, rows };
}

/** Reads and checks ex1's `attention.json`. */
export async function readClassifierAttention(file: string): Promise<ClassifierAttentionFile> {
  const { f, doc, model, rows } = await readList(file, 'examples', (f, o, at) => ({
    index: f.num(o.index, at('index')), label: f.str(o.label, at('label')), predicted: f.str(o.predicted, at('predicted')),
    signal: f.nums(o.signal, at('signal')), weights: f.nums(o.weights, at('weights')),
  }));
  return { model, steps: f.num(doc.steps, 'steps'), classes: f.strs(doc.classes, 'classes'), examples: rows };
}

/** Reads and checks ex2's `attention.json`. */
export async function readForecastAttention(file: string): Promise<ForecastAttentionFile> {
  const { f, doc, model, rows } = await readList(file, 'maps', (f, o, at) => ({
    window: f.num(o.window, at('window')), weights: f.matrix(o.weights, at('weights')),
  }));
  return { model, input_steps: f.num(doc.input_steps, 'input_steps'), horizon: f.num(doc.horizon, 'horizon'), maps: rows };
}

/** Reads and checks a seq2seq `attention.json` (translate, g2p). */
export async function readAlignments(file: string): Promise<AlignmentFile> {
  const { f, doc, model, rows } = await readList(file, 'maps', (f, o, at): AlignmentMap => {
    const index = o.index === undefined ? undefined : f.num(o.index, at('index'));
    const word = o.word === undefined ? undefined : f.str(o.word, at('word'));
    const target = o.target === undefined ? undefined : f.str(o.target, at('target'));
    return {
      ...(index !== undefined ? { index } : {}), ...(word !== undefined ? { word } : {}),
      source: f.strs(o.source, at('source')), output: f.strs(o.output, at('output')),
      ...(target !== undefined ? { target } : {}), weights: f.matrix(o.weights, at('weights')),
    };
  });
  return { model, rows: f.str(doc.rows, 'rows'), cols: f.str(doc.cols, 'cols'), maps: rows };
}

/** Reads and checks spam's `attention.json`. */
export async function readTokenAttention(file: string): Promise<TokenAttentionFile> {
  const { model, rows } = await readList(file, 'maps', (f, o, at) => ({
    mail: f.str(o.mail, at('mail')), label: f.num(o.label, at('label')), prob: f.num(o.prob, at('prob')),
    tokens: f.strs(o.tokens, at('tokens')), weights: f.nums(o.weights, at('weights')),
  }));
  return { model, maps: rows };
}
