/**
 * `metrics.json`: each experiment's numbers. The fields differ by task, so the shared type fixes
 * only what every one carries (the model's name); the experiments declare their own fields.
 */
import { type Json, Fields, readJson, writeJson } from './json.ts';

/** The file: `model` plus the experiment's own fields. */
export interface MetricsFile {
  model: string;
  [field: string]: Json;
}

/** Writes `metrics.json` (keys in the order given): any experiment's metrics type that names its model. */
export function writeMetrics<M extends { model: string }>(file: string, metrics: M): Promise<void> {
  return writeJson(file, metrics);
}

/** Reads `metrics.json` and checks that it is an object naming its model. */
export async function readMetrics(file: string): Promise<MetricsFile> {
  const { doc, model } = new Fields(file).root(await readJson(file));
  return { ...doc, model };
}
