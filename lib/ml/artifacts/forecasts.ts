/** `forecasts.json`: test windows of a forecaster, with the input, the truth and the forecast. */
import { Fields, readJson, writeJson } from './json.ts';

/** One window; values are in the series' normalised units (see `norm`). */
export interface ForecastExample {
  window: number;
  start: number;
  input: number[];
  truth: number[];
  forecast: number[];
}

/** The file. */
export interface ForecastsFile {
  model: string;
  /** How the series was normalised: value = z · std + mean. */
  norm: { mean: number; std: number };
  input_steps: number;
  horizon: number;
  examples: ForecastExample[];
}

/** Writes `forecasts.json` (keys in the order given). */
export function writeForecasts(file: string, forecasts: ForecastsFile): Promise<void> {
  return writeJson(file, forecasts);
}

/** Reads and checks `forecasts.json`. */
export async function readForecasts(file: string): Promise<ForecastsFile> {
  const f = new Fields(file);
  const { doc, model } = f.root(await readJson(file));
  const norm = f.obj(doc.norm, 'norm');
  const examples = f.arr(doc.examples, 'examples').map((e, i) => {
    const o = f.obj(e, `examples[${i}]`);
    const at = (k: string): string => `examples[${i}].${k}`;
    return {
      window: f.num(o.window, at('window')), start: f.num(o.start, at('start')),
      input: f.nums(o.input, at('input')), truth: f.nums(o.truth, at('truth')), forecast: f.nums(o.forecast, at('forecast')),
    };
  });
  return {
    model, norm: { mean: f.num(norm.mean, 'norm.mean'), std: f.num(norm.std, 'norm.std') },
    input_steps: f.num(doc.input_steps, 'input_steps'), horizon: f.num(doc.horizon, 'horizon'), examples,
  };
}
