/**
 * The e2e fixture pipeline: prep → train (a chain, both importing lib/tag.js through
 * scripts/step.js) and side (independent, no import of lib/tag.js).
 */
export interface FixtureOptions {
  a?: number;
  b?: number;
  c?: number;
  /** Extra flags for the prep command (`--fail`, `--block`…). */
  prepFlags?: string;
  sideFlags?: string;
}

/** pipeline.yaml text for the fixture. */
export function fixtureYaml(o: FixtureOptions = {}): string {
  return `params:
  a: ${o.a ?? 1}
  b: ${o.b ?? 1}
  c: ${o.c ?? 1}
stages:
  prep:
    cmd: node scripts/step.js prep out/prep.txt${o.prepFlags ? ` ${o.prepFlags}` : ''}
    params: [a]
    outs: [out/prep.txt]
  train:
    cmd: node scripts/step.js train out/train.txt out/prep.txt
    deps: [out/prep.txt]
    params: [b]
    outs: [out/train.txt]
  side:
    cmd: node scripts/plain.js side out/side.txt${o.sideFlags ? ` ${o.sideFlags}` : ''}
    params: [c]
    outs: [out/side.txt]
`;
}
