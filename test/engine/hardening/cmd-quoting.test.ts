/**
 * Finding 13: values interpolated into `cmd` (params, `--set`) are shell-quoted for where they
 * stand, so a value is data and never runs; `${raw:NAME}` is the explicit way to insert shell
 * text. Checked by running the commands through the real shell of a real run. (Matrix values
 * are already limited to name characters, which need no quoting.)
 */
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { shellQuote } from '../../../lib/engine/config/interpolate.ts';
import { makeProject, type Project } from '../../helpers/project.ts';

const NASTY = `a; touch pwned $(touch pwned2) \`touch pwned3\` "dq" 'sq' \\ $HOME *`;

describe('shell quoting of interpolated values', () => {
  let project: Project | undefined;
  afterEach(async () => {
    await project?.remove();
    project = undefined;
  });

  it('a --set value with ; $( ) backquotes and quotes reaches the stage as one literal word', async () => {
    project = await makeProject({
      'pipeline.yaml': [
        'params:', '  x: plain', 'stages:',
        '  bare:', '    cmd: printf %s ${x} > bare.txt', '    params: [x]', '    outs: [bare.txt]',
        '  dq:', '    cmd: printf %s "[${x}]" > dq.txt', '    params: [x]', '    outs: [dq.txt]',
        '  sq:', "    cmd: printf %s '<${x}>' > sq.txt", '    params: [x]', '    outs: [sq.txt]', '',
      ].join('\n'),
    });
    const r = await project.cli(['run', '--set', `x=${NASTY}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(await project.read('bare.txt')).toBe(NASTY);
    expect(await project.read('dq.txt')).toBe(`[${NASTY}]`);
    expect(await project.read('sq.txt')).toBe(`<${NASTY}>`);
    for (const f of ['pwned', 'pwned2', 'pwned3']) expect(project.exists(f)).toBe(false);
  });

  it('${raw:NAME} inserts shell text unquoted, on purpose', async () => {
    project = await makeProject({
      'pipeline.yaml': ['params:', "  flags: '-n hello; echo world'", 'stages:', '  r:', '    cmd: (echo ${raw:flags}) > r.txt', '    params: [flags]', '    outs: [r.txt]', ''].join('\n'),
    });
    const r = await project.cli(['run']);
    expect(r.code, r.stderr).toBe(0);
    expect(await project.read('r.txt')).toBe('helloworld\n');
  });

  it('shellQuote round-trips through sh in every quoting context', () => {
    for (const v of [NASTY, '', "it's", 'new\nline', '-n', '$((1+1))', '\\"']) {
      const sh = (cmd: string) => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });
      expect(sh(`printf %s ${shellQuote(v)}`)).toBe(v);
      expect(sh(`printf %s "${shellQuote(v, 'double')}"`)).toBe(v);
      expect(sh(`printf %s '${shellQuote(v, 'single')}'`)).toBe(v);
    }
  });
});
