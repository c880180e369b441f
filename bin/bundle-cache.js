// Housekeeping of the CLI bundle cache (node_modules/.cache/seqlab-pipeline): which build a
// running CLI uses, and which old builds may go. Plain JavaScript, like bin/pipeline.js, because
// it runs before anything could compile TypeScript; types are in bundle-cache.d.ts.
//
// A build directory may be removed only when no CLI can be running from it: the bundle is split
// into chunks that load lazily (a `run` imports its lock writer at the end, possibly an hour of
// training later), so deleting the directory under a running CLI would break it long after it
// started. Age alone cannot tell (a run may outlast any age limit), nor can "keep the newest few"
// (several rebuilds can happen during one long run). So each CLI holds a lease, a file named
// after its pid inside the build it runs from; a build is removed only when no lease belongs to
// a live process. On top of that, anything touched in the last GRACE_MS stays: that covers the
// moment between reading the manifest and taking the lease, a concurrent builder that has not
// published yet, and a CLI in another pid namespace (a container sharing the checkout) whose
// lease we cannot check. Creating or deleting a lease updates the directory's mtime, so "touched"
// also means "last started from". Builds made before leases existed (no LEASED_MARK file) may
// serve a CLI started by the older code, which takes no lease: they keep the rule that code
// relied on, an hour since last touched.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Anything in the cache touched this recently is kept, leased or not. */
export const GRACE_MS = 10 * 60_000;

/** How long a build without LEASED_MARK is kept (the rule of the code before leases). */
export const LEGACY_MS = 60 * 60_000;

/** A file in a build directory saying that every CLI running from it holds a lease. */
export const LEASED_MARK = 'leased';

const LEASE_PREFIX = 'lease-';

/**
 * Marks `buildDir` as in use by this process until it exits. Returns false when the directory
 * is gone (pruned since the manifest was read): the caller should then build afresh.
 */
export function takeLease(buildDir, pid = process.pid) {
  const lease = join(buildDir, `${LEASE_PREFIX}${pid}`);
  try {
    writeFileSync(lease, '');
  } catch {
    return false;
  }
  process.once('exit', () => {
    try {
      unlinkSync(lease);
    } catch {
      // already pruned, or the directory went with a stale-lease cleanup
    }
  });
  return true;
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e?.code === 'EPERM';
  }
}

/**
 * Removes the builds in `cacheDir` that no CLI can be running from, and leftovers of
 * interrupted builds and prunes. Keeps `keep`, the build manifest.json names, anything touched
 * within `graceMs` of `now`, and every build holding a lease of a live process. Never throws;
 * returns the names it removed.
 */
export function pruneBuilds(cacheDir, { keep, now = Date.now(), graceMs = GRACE_MS, isAlive = pidAlive } = {}) {
  const removed = [];
  let names;
  try {
    names = readdirSync(cacheDir);
  } catch {
    return removed;
  }
  const kept = new Set([keep, currentBuild(cacheDir)]);
  for (const name of names) {
    if (name === 'manifest.json' || kept.has(name)) continue;
    const path = join(cacheDir, name);
    try {
      if (name.startsWith('trash-')) {
        // Renamed by an earlier prune that was interrupted before deleting it: never in use.
        rmSync(path, { recursive: true, force: true });
        removed.push(name);
        continue;
      }
      const st = statSync(path);
      if (now - st.mtimeMs < graceMs) continue;
      if (st.isDirectory() && name.startsWith('build-')) {
        if (!existsSync(join(path, LEASED_MARK)) && now - st.mtimeMs < LEGACY_MS) continue;
        if (hasLiveLease(path, isAlive)) continue;
      }
      // Rename first: the build disappears at once and whole, so no CLI can start from a
      // half-deleted directory, and a lease taken after our check fails cleanly.
      const trash = join(cacheDir, `trash-${name}-${process.pid}`);
      renameSync(path, trash);
      rmSync(trash, { recursive: true, force: true });
      removed.push(name);
    } catch {
      // raced with another CLI's prune, or not ours to remove: leave it
    }
  }
  return removed;
}

function hasLiveLease(buildDir, isAlive) {
  for (const f of readdirSync(buildDir)) {
    if (!f.startsWith(LEASE_PREFIX)) continue;
    const pid = Number(f.slice(LEASE_PREFIX.length));
    // A lease we cannot read as a pid is kept as if alive: better an old build than a broken run.
    if (!Number.isInteger(pid) || pid <= 0 || isAlive(pid)) return true;
  }
  return false;
}

/** The build directory manifest.json currently names, if any. */
function currentBuild(cacheDir) {
  try {
    const m = JSON.parse(readFileSync(join(cacheDir, 'manifest.json'), 'utf8'));
    return typeof m.bundle === 'string' ? dirname(m.bundle) : undefined;
  } catch {
    return undefined;
  }
}
