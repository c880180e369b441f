/** `pipeline gc [--max-size SIZE]`: drop cache objects nothing refers to, optionally bound the cache. */
import { gc, parseSize } from '../store/gc.ts';
import { profileLocks, readLock } from '../store/lock.ts';
import { loadPipeline } from '../config/load.ts';
import type { LockFile } from '../types.ts';
import { acquireRunLock } from '../exec/run-lock.ts';
import { formatBytes } from './io.ts';
import { UsageError, flag, str, type VerbContext } from './verb.ts';
import { printJson, reportDiagnostics } from './common.ts';

/** Handler of `pipeline gc`. */
export async function gcVerb(ctx: VerbContext): Promise<number> {
  if (ctx.positionals.length > 0) throw new UsageError(`"pipeline gc" takes no arguments, got "${ctx.positionals[0]}".`);
  const sizeText = str(ctx.values, 'max-size');
  let maxSizeBytes: number | undefined;
  if (sizeText !== undefined) {
    const n = parseSize(sizeText);
    if (n === undefined) throw new UsageError(`Option "--max-size" needs a size such as 500MiB or 2G, got "${sizeText}".`);
    maxSizeBytes = n;
  }
  // gc deletes objects a concurrent run may be about to restore from: hold the run lock, and
  // read the lock file only then, or a run finishing meanwhile could record outs it deletes.
  const held = await acquireRunLock(ctx.root);
  if (!held.ok) return reportDiagnostics(ctx, [held.error], 1);
  try {
    // Every profile's lock pins its objects too: gc after a smoke run must not empty the default
    // profile's cache, nor the other way round.
    const keep: LockFile = { schema: 1, stages: {} };
    for (const profile of [undefined, ...(await profileLocks(ctx.root))]) {
      const lock = await readLock(ctx.root, profile);
      if (!lock.ok) return reportDiagnostics(ctx, lock.error);
      for (const [name, entry] of Object.entries(lock.value.stages)) keep.stages[`${profile ?? ''}:${name}`] = entry;
    }
    // The config says where the cache is (`cache.dir`).
    const loaded = await loadPipeline({ root: ctx.root });
    if (!loaded.ok) return reportDiagnostics(ctx, loaded.error);
    const configuredCache = loaded.value.cache;
    const result = await gc(ctx.root, { ...(maxSizeBytes !== undefined ? { maxSizeBytes } : {}), keep, ...(configuredCache ? { configuredCache } : {}) });
    if (flag(ctx.values, 'json')) printJson(ctx, { ok: true, ...result });
    else {
      ctx.io.err(
        `Removed ${result.removedObjects} cache object(s) and ${result.removedRuns} run record(s), freeing ${formatBytes(result.freedBytes)}; ` +
          `${formatBytes(result.keptBytes)} kept.\n`,
      );
    }
    return 0;
  } finally {
    await held.value.release();
  }
}
