/**
 * Finding 15 of issue 10: outs enter the stat cache when their stage commits, so the first
 * no-op run after it reads none of their content.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject, statuses, type Project } from '../../helpers/project.ts';

const SCRIPT = `
import { mkdirSync, writeFileSync } from 'node:fs';
writeFileSync('big.bin', Buffer.alloc(4 << 20, 7));
mkdirSync('d', { recursive: true });
writeFileSync('d/a.txt', 'a');
writeFileSync('d/b.txt', 'b');
`;

describe('outs in the stat cache', () => {
  let project: Project | undefined;
  afterEach(async () => {
    await project?.remove();
    project = undefined;
  });

  it('a run leaves its outs in the stat cache, and the next no-op run hashes nothing', async () => {
    project = await makeProject({
      'package.json': '{ "type": "module" }\n',
      's.mjs': SCRIPT,
      'pipeline.yaml': 'stages:\n  s:\n    cmd: node s.mjs\n    outs: [big.bin, d]\n',
    });
    const r = await project.cli(['run']);
    expect(r.code, r.stderr).toBe(0);
    const file = '.pipeline/state/stat-cache.json';
    const before = await project.read(file);
    const rows = JSON.parse(before).rows as Record<string, unknown[]>;
    const big = createHash('sha256').update(Buffer.alloc(4 << 20, 7)).digest('hex');
    expect(rows['big.bin']?.[5]).toBe(big);
    expect(rows['d/a.txt']?.[5]).toBe(createHash('sha256').update('a').digest('hex'));
    expect(rows['d/b.txt']).toBeDefined();
    // A run that had to hash anything would record it: the stat cache would change.
    const noop = await project.cli(['run', '--json']);
    expect(statuses(noop.stdout)).toEqual({ s: 'cached' });
    expect(await project.read(file)).toBe(before);
  });
});
