/**
 * The data stages: one generator of lib/ml/data per data set name, written as a bundle into
 * `ctx.outDir` (`data/<name>`). Options come from pipeline.yaml (`data.<key>`), the seed from
 * the global `seed`, so every data set is a pure function of the params.
 */
import { writeDates, generateDates, type DatesOptions } from '../data/dates.ts';
import { checkG2pDataParams, generateG2p, writeG2p } from '../data/g2p.ts';
import type { ParamCheck } from '../params.ts';
import { writeMovingMnist, generateMovingMnist, type MovingMnistOptions } from '../data/moving-mnist.ts';
import { writeSineTrend, generateSineTrend, type SineTrendOptions } from '../data/sine-trend.ts';
import { writeSpam, generateSpam, type SpamOptions } from '../data/spam.ts';
import {
  writeSyntheticSequences, generateSyntheticSequences, type SyntheticSequencesOptions,
} from '../data/synthetic-sequences.ts';
import type { RunContext } from './common.ts';

/** Data set names as they appear in stage names and out paths (`data-sine-trend`, `data/sine-trend`). */
export const DATA_SETS = ['synthetic', 'sine-trend', 'moving-digits', 'dates', 'g2p', 'spam'] as const;

/** One of {@link DATA_SETS}. */
export type DataSetName = (typeof DATA_SETS)[number];

/** The param key of each data set under `data.` in pipeline.yaml (camelCase of its name). */
export const DATA_PARAM_KEYS: Record<DataSetName, string> = {
  synthetic: 'synthetic',
  'sine-trend': 'sineTrend',
  'moving-digits': 'movingDigits',
  dates: 'dates',
  g2p: 'g2p',
  spam: 'spam',
};

/** Params of a data stage. */
export interface DataParams {
  name: DataSetName;
  seed: number;
  /** Generator options (the `seed` here is ignored in favour of `params.seed`). */
  options: Record<string, unknown>;
}

/** Summary of what was written (also printed by the stage). */
export interface DataResult {
  name: DataSetName;
  /** Number of examples (sequences, windows, clips, pairs, mails). */
  n: number;
  split: { train: number; val: number; test: number };
}

/** True when `name` is a known data set. */
export function isDataSetName(name: string): name is DataSetName {
  return (DATA_SETS as readonly string[]).includes(name);
}

/**
 * Check a data set's options (`data.<key>` in pipeline.yaml) before generating it. Only data sets
 * with a declared spec are checked (g2p); the others' generators take defaults for what is missing.
 */
export function checkDataOptions(name: DataSetName, options: Record<string, unknown>): ParamCheck<unknown> {
  return name === 'g2p' ? checkG2pDataParams(options) : { ok: true, value: options };
}

/** Generates data set `params.name` and writes it into `ctx.outDir`. */
export async function run(params: DataParams, ctx: RunContext): Promise<DataResult> {
  const dir = ctx.outDir;
  const seed = params.seed;
  const sizes = (s: { train: Int32Array; val: Int32Array; test: Int32Array }) => ({ train: s.train.length, val: s.val.length, test: s.test.length });
  switch (params.name) {
    case 'synthetic': {
      const d = generateSyntheticSequences({ ...(params.options as SyntheticSequencesOptions), seed });
      await writeSyntheticSequences(dir, d);
      return { name: params.name, n: d.n, split: sizes(d.split) };
    }
    case 'sine-trend': {
      const d = generateSineTrend({ ...(params.options as SineTrendOptions), seed });
      await writeSineTrend(dir, d);
      return { name: params.name, n: d.n, split: sizes(d.split) };
    }
    case 'moving-digits': {
      const d = generateMovingMnist({ ...(params.options as MovingMnistOptions), seed });
      await writeMovingMnist(dir, d);
      return { name: params.name, n: d.n, split: sizes(d.split) };
    }
    case 'dates': {
      const d = generateDates({ ...(params.options as DatesOptions), seed });
      await writeDates(dir, d);
      return { name: params.name, n: d.n, split: sizes(d.split) };
    }
    case 'g2p': {
      const checked = checkG2pDataParams(params.options);
      if (!checked.ok) throw new Error(`invalid data.g2p (check with checkDataOptions first):\n${checked.errors.join('\n')}`);
      const d = generateG2p({ ...checked.value, seed });
      await writeG2p(dir, d);
      return { name: params.name, n: d.n, split: sizes(d.split) };
    }
    case 'spam': {
      const d = generateSpam({ ...(params.options as SpamOptions), seed });
      await writeSpam(dir, d);
      return { name: params.name, n: d.n, split: sizes(d.split) };
    }
  }
}
