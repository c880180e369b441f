/** Where the executor keeps its files under `<root>/.pipeline/`. */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** `.pipeline/` of a pipeline root. */
export const pipelineDir = (root: string): string => join(root, '.pipeline');
/** Scratch space; must sit on the same file system as the outs so that renames are atomic. */
export const tmpDir = (root: string): string => join(pipelineDir(root), 'tmp');
export const txnDir = (root: string): string => join(tmpDir(root), 'txn');
export const progressDir = (root: string): string => join(tmpDir(root), 'progress');
/** Present while a dead runner's temp files may still lie beside outs (see leftovers.ts). */
export const unsweptMarker = (root: string): string => join(tmpDir(root), 'unswept');

/**
 * A file-name-safe, collision-free id for a stage name (`ablate@no-memory` →
 * `ablate_no-memory-3f2a9c1e`): readable prefix plus a short hash of the exact name.
 */
export function safeStageId(name: string): string {
  const readable = name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${readable}-${hash}`;
}
