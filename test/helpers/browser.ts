/**
 * Debian's Chromium for browser tests, driven by playwright-core (which never downloads a
 * browser). Undefined where it is not installed: such tests skip with a warning.
 */
import { spawnSync } from 'node:child_process';

/** Path of the system Chromium, if there is one. */
export const chromiumPath: string | undefined = ['/usr/bin/chromium', '/usr/bin/chromium-browser']
  .find((bin) => spawnSync(bin, ['--version'], { encoding: 'utf8' }).status === 0);
