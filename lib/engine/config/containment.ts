/**
 * Where deps and outs may point. A transaction moves an out aside and deletes what a failed
 * stage left there, so an out must be something the pipeline owns: inside the project root
 * once symlinks are followed, and not one of the files the engine itself or git keeps. Deps get
 * the same check: a dep on the lock or `.pipeline` would change with every run.
 *
 * The text of each path was already normalised and kept inside the root (stages.ts); this adds
 * the reserved names and what the file system says. Paths are resolved like `realpath(3)` on
 * their deepest existing ancestor, so an out that does not exist yet is still judged by the
 * directory it would be created in.
 */
import { lstatSync, realpathSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { Diagnostic, SourceLocation, Stage } from '../types.ts';
import { located } from './locate.ts';

/** Why a root-relative POSIX path is reserved, or undefined when it is free for the pipeline's use. */
export function reservedReason(rel: string, configFile: string): string | undefined {
  const top = rel.split('/', 1)[0] ?? rel;
  if (rel === '') return 'is the project root itself';
  if (top === '.git') return 'is inside .git, the repository history';
  if (top === '.pipeline') return "is inside .pipeline, the engine's own state and cache";
  if (rel === configFile) return `is the pipeline's own config`;
  if (rel === 'pipeline.lock' || /^pipeline\.[^/]+\.lock$/.test(rel)) return 'is a lock file the engine writes';
  return undefined;
}

/** Real paths of directories, so that deps sharing a directory cost one `realpath`. */
class RealPaths {
  private readonly dirs = new Map<string, string>();

  /**
   * The real absolute path of `abs` (symlinks followed as far as the path exists), and whether
   * an ancestor is a file, so that nothing can ever be created there.
   */
  of(abs: string): { real: string; underFile: boolean } {
    let st: Stats | undefined;
    try {
      st = lstatSync(abs, { throwIfNoEntry: false });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') return { real: abs, underFile: true };
      // ELOOP, EACCES: nothing there to follow; the path is judged by its ancestors.
    }
    if (st?.isSymbolicLink()) {
      try {
        return { real: realpathSync(abs), underFile: false };
      } catch {
        // A dangling link: judged by where it sits (the transaction moves the link, not its target).
      }
    }
    return { real: path.join(this.dir(path.dirname(abs)), path.basename(abs)), underFile: false };
  }

  private dir(abs: string): string {
    let real = this.dirs.get(abs);
    if (real !== undefined) return real;
    try {
      real = realpathSync(abs);
    } catch {
      const parent = path.dirname(abs);
      real = parent === abs ? abs : path.join(this.dir(parent), path.basename(abs));
    }
    this.dirs.set(abs, real);
    return real;
  }
}

/**
 * Diagnostics for deps and outs that are reserved or, through a symlink, lead outside the
 * project root. `configFile` is the config's path relative to the root (`pipeline.yaml`).
 */
export function checkContainment(stages: Iterable<Stage>, root: string, configFile: string): Diagnostic[] {
  const errors: Diagnostic[] = [];
  const seen = new Set<string>();
  const real = new RealPaths();
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    realRoot = root;
  }
  const report = (message: string, location: SourceLocation | undefined, hint?: string) => {
    const key = `${message}@${location?.line}:${location?.col}`;
    if (seen.has(key)) return; // matrix members repeat their template's paths
    seen.add(key);
    errors.push(located(message, location, hint));
  };
  for (const s of stages) {
    const check = (noun: 'dep' | 'out', p: string, i: number) => {
      const loc = () => (noun === 'dep' ? s.depLocations : s.outLocations)?.[i];
      const why = reservedReason(p, configFile);
      if (why !== undefined) {
        report(`Stage "${s.group}": ${noun} "${p}" ${why}; a stage may not ${noun === 'out' ? 'write' : 'depend on'} it.`, loc(), 'Name a file or directory of your own.');
        return;
      }
      const { real: resolved, underFile } = real.of(path.join(root, p));
      if (underFile) {
        // A missing dep is the graph's to report (it may be produced); an out could never be written.
        if (noun === 'out') report(`Stage "${s.group}": out "${p}" cannot be created: a file lies where one of its directories should be.`, loc(), 'Remove that file, or choose another path.');
        return;
      }
      const rel = path.relative(realRoot, resolved);
      if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
        report(`Stage "${s.group}": ${noun} "${p}" leads outside the project root through a symlink (to ${resolved}).`, loc(), 'Keep deps and outs inside the project, or copy the data in.');
        return;
      }
      const realWhy = reservedReason(rel.split(path.sep).join('/'), configFile);
      if (realWhy !== undefined) report(`Stage "${s.group}": ${noun} "${p}" leads through a symlink to "${rel}", which ${realWhy}.`, loc(), 'Name a file or directory of your own.');
    };
    s.deps.forEach((d, i) => check('dep', d, i));
    s.outs.forEach((o, i) => check('out', o, i));
  }
  return errors;
}
