/** `samples.json`: test examples as text, for reading the model's behaviour by eye. */
import { Fields, readJson, writeJson } from './json.ts';

/** A date-translation sample. */
export interface TranslationSample {
  source: string;
  target: string;
  greedy: string;
}

/** A grapheme-to-phoneme sample. */
export interface G2pSample {
  word: string;
  reference: string;
  predicted: string;
}

/** The file; every field of a sample is a string. */
export interface SamplesFile<S extends object = Record<string, string>> {
  model: string;
  samples: S[];
}

/** Writes `samples.json` (keys in the order given). */
export function writeSamples<S extends TranslationSample | G2pSample>(file: string, samples: SamplesFile<S>): Promise<void> {
  return writeJson(file, samples);
}

/** Reads and checks `samples.json`. */
export async function readSamples(file: string): Promise<SamplesFile> {
  const f = new Fields(file);
  const { doc, model } = f.root(await readJson(file));
  const samples = f.arr(doc.samples, 'samples').map((s, i) => {
    const row = f.obj(s, `samples[${i}]`);
    return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, f.str(v, `samples[${i}].${k}`)]));
  });
  return { model, samples };
}
