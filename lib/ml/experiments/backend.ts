/** The backend an experiment records: the one already chosen, else 'auto' (or `SEQLAB_BACKEND`). */
import { type BackendInfo, backendInfo, initBackend } from '../backend.ts';

/**
 * The active backend's description. Tests pick one with `initBackend` first; a stage process
 * that has not chosen gets `initBackend()`'s default, which logs its choice on stderr.
 */
export async function currentBackend(): Promise<BackendInfo> {
  try {
    return backendInfo();
  } catch {
    return initBackend();
  }
}
