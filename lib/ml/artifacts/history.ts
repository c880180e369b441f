/** `history.json`: a learning curve, one row per epoch, and the epoch whose weights were kept. */
import { Fields, readJson, writeJson } from './json.ts';

/** One epoch's row: its number and every numeric column (`loss`, `val_accuracy`, …). */
export interface EpochRecord {
  epoch: number;
  [metric: string]: number;
}

/** The file. */
export interface HistoryFile {
  model: string;
  best_epoch: number;
  epochs: EpochRecord[];
}

/** Writes `history.json` (keys in the order given). */
export function writeHistory(file: string, history: HistoryFile): Promise<void> {
  return writeJson(file, history);
}

/** Reads and checks `history.json`; a non-finite value (written as `null`) is left out of its row. */
export async function readHistory(file: string): Promise<HistoryFile> {
  const f = new Fields(file);
  const { doc, model } = f.root(await readJson(file));
  const epochs = f.arr(doc.epochs, 'epochs').map((e, i) => {
    const row = f.obj(e, `epochs[${i}]`);
    const out: EpochRecord = { epoch: f.num(row.epoch, `epochs[${i}].epoch`) };
    for (const [k, v] of Object.entries(row)) if (k !== 'epoch' && v !== null) out[k] = f.num(v, `epochs[${i}].${k}`);
    return out;
  });
  return { model, best_epoch: f.num(doc.best_epoch, 'best_epoch'), epochs };
}
