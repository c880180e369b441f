/**
 * `pipeline models list|get NAME[@VERSION|@production] --to DIR|promote <name> <version>
 * [--force]|rollback <name>`: the model registry (`models/registry.json`, see lib/registry).
 * `list` and `get` are read-only (`get` copies a version's stored files out, digests checked);
 * `promote` and `rollback` move the `production` alias by hand and append to
 * `models/registry-log.jsonl`.
 */
import path from 'node:path';
import {
  RegistryError, registryFile, loadRegistry, materialise, promoteManually, resolveVersion, rollback, updateRegistry, type ModelVersion, type RegistryState,
} from '../registry/index.ts';
import { paint } from '../engine/cli/io.ts';
import { UsageError, flag, type VerbContext } from '../engine/cli/verb.ts';
import { printJson, subCommand } from '../engine/cli/common.ts';

const ACTIONS = ['list', 'get', 'promote', 'rollback'] as const;

/** `name=value` for every test metric (the gate's first), or the gate's metric alone when there are none. */
function metricsText(v: ModelVersion): string {
  const first = v.gate?.gate.metric;
  const keys = Object.keys(v.metrics).filter((k) => k.startsWith('test_') && !/_(samples|windows)$/.test(k)).sort((a, b) => Number(b === first) - Number(a === first));
  return keys.map((k) => `${k} ${+v.metrics[k]!.toPrecision(4)}`).join(', ') || '—';
}

function listText(state: RegistryState, color: boolean): string {
  const names = Object.keys(state.models).sort();
  if (names.length === 0) return '';
  const lines: string[] = [];
  for (const name of names) {
    const entry = state.models[name]!;
    const prod = entry.versions.find((v) => v.version === entry.production);
    lines.push(paint(color, 'bold', name) + (prod ? `  production → v${prod.version} (${prod.member ?? name}, stage ${prod.stage ?? '—'}): ${metricsText(prod)}` : '  no production version'));
    for (const v of entry.versions) {
      const gate = v.gate ? `${v.gate.gate.metric} ${v.gate.value ?? 'missing'} ${v.gate.passed ? 'passes' : 'fails'} gate` : 'no gate';
      const mark = entry.production === v.version ? paint(color, 'green', '*') : ' ';
      const flags = v.rolledBack ? ' (rolled back)' : '';
      const member = v.member !== undefined && v.member !== name ? `${v.member}  ` : '';
      lines.push(`  ${mark} v${v.version}  ${member}${gate}  ${v.stage ?? '—'}  ${v.fingerprint.slice(0, 12)}  ${v.registeredAt}${flags}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function versionArg(text: string | undefined): number {
  const n = Number((text ?? '').replace(/^v/, ''));
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`"pipeline models promote" needs a version number (1, 2, … or v1), got "${text ?? ''}".`);
  return n;
}

/** Handler of `pipeline models`. */
export async function modelsVerb(ctx: VerbContext): Promise<number> {
  const action = subCommand(ctx, 'models', ACTIONS);
  const [, name, version, ...rest] = ctx.positionals;
  const json = flag(ctx.values, 'json');
  try {
    if (action === 'list') {
      const state = await loadRegistry(ctx.root);
      if (name !== undefined) throw new UsageError('"pipeline models list" takes no arguments.');
      if (json) printJson(ctx, { ok: true, ...state });
      else if (Object.keys(state.models).length === 0) ctx.io.err(`No models registered (${registryFile()} is empty or absent).\n`);
      else ctx.io.out(listText(state, ctx.io.color));
      return 0;
    }
    if (name === undefined) throw new UsageError(`"pipeline models ${action}" needs a model name.`);
    if (action === 'get') {
      if (version !== undefined) throw new UsageError(`"pipeline models get" takes one argument (NAME, NAME@VERSION or NAME@production); unexpected "${version}".`);
      const to = ctx.values['to'];
      if (typeof to !== 'string' || to === '') throw new UsageError('"pipeline models get" needs --to DIR (where the files go).');
      const { model, version: v } = resolveVersion(await loadRegistry(ctx.root), name);
      const dir = path.resolve(ctx.io.cwd, to);
      const written = await materialise(ctx.root, model, v, dir);
      if (json) printJson(ctx, { ok: true, model, version: v.version, files: written });
      else ctx.io.err(`${model} v${v.version}: ${written.length} file(s) written under ${dir}, digests checked.\n`);
      return 0;
    }
    const expected = action === 'promote' ? 1 : 0;
    const extra = action === 'promote' ? rest[0] : version;
    if (extra !== undefined) throw new UsageError(`"pipeline models ${action}" takes ${expected + 1} argument(s); unexpected "${extra}".`);
    const to = action === 'promote' ? versionArg(version) : undefined;
    // Under the registry lock from read to log: concurrent promotions apply one after the other.
    const entry = await updateRegistry(ctx.root, (state) => {
      const e = to !== undefined ? promoteManually(state, name, to, { force: flag(ctx.values, 'force') }) : rollback(state, name, { by: 'cli' });
      return { log: [e], result: e };
    });
    if (json) printJson(ctx, { ok: true, ...entry });
    else ctx.io.err(`${name}: production ${entry.from === null ? 'none' : `v${entry.from}`} → ${entry.to === null ? 'none' : `v${entry.to}`} (${entry.reason}).\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof RegistryError)) throw e;
    if (json) printJson(ctx, { ok: false, error: e.message });
    ctx.io.err(`${paint(ctx.io.color, 'red', 'error:')} ${e.message}\n`);
    return 1;
  }
}
