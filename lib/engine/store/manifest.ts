/**
 * The directory manifest: the one serialisation of a directory's content. The hasher's
 * directory digest is the SHA-256 of these bytes and the object store keeps the same bytes
 * as an object, so a directory out's digest is also the key of its manifest in the cache.
 */
import type { Sha256 } from '../types.ts';
import { isSha256 } from './fs-util.ts';

/** One file of a directory, path relative to that directory (POSIX). */
export interface ManifestEntry {
  path: string;
  digest: Sha256;
  /** Only the executable bit is content; other permission bits are local taste. */
  mode: 0o644 | 0o755;
}

const HEADER = 'seqlab-manifest 1\n';

/** Code-unit order: identical on every platform and locale, unlike localeCompare. */
export function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** Deterministic manifest text; entries are sorted here so callers need not. */
export function serializeManifest(entries: readonly ManifestEntry[]): string {
  const lines = [...entries].sort(byPath).map((e) => `${e.mode === 0o755 ? '100755' : '100644'} ${e.digest} ${JSON.stringify(e.path)}\n`);
  return HEADER + lines.join('');
}

/** Parses manifest text; undefined when it is not a well-formed manifest. */
export function parseManifest(text: string): ManifestEntry[] | undefined {
  if (!text.startsWith(HEADER)) return undefined;
  const out: ManifestEntry[] = [];
  for (const line of text.slice(HEADER.length).split('\n')) {
    if (line === '') continue;
    const m = /^(100755|100644) ([0-9a-f]{64}) (".*")$/.exec(line);
    if (!m) return undefined;
    let path: unknown;
    try {
      path = JSON.parse(m[3] as string);
    } catch {
      return undefined;
    }
    // A manifest must never name a path outside its directory: it is restored from disk data.
    if (typeof path !== 'string' || !isSafeRelPath(path) || !isSha256(m[2])) return undefined;
    out.push({ path, digest: m[2], mode: m[1] === '100755' ? 0o755 : 0o644 });
  }
  return out;
}

/** A relative POSIX path with no empty, `.` or `..` segments. */
export function isSafeRelPath(p: string): boolean {
  if (p === '' || p.startsWith('/') || p.includes('\\') || p.includes('\0')) return false;
  return p.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}
