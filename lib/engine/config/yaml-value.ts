/**
 * A YAML document's plain value without the exceptions of `Document.toJS()`. The `yaml` package
 * throws a ReferenceError for an alias whose anchor is not defined before it, and for aliases
 * that expand past `maxAliasCount` (the "billion laughs" bomb: 9 aliases of 9 aliases of … grow
 * exponentially). Both are mistakes in a file the user controls, so both become a message and
 * the source range of the alias to blame, for pipeline.yaml, pipeline.lock and `--set` alike.
 */
import { isCollection, visit, type Alias, type Document, type Node } from 'yaml';

/**
 * How many nodes one anchor may expand to through aliases (yaml's own default, kept explicit):
 * an anchor with no aliases inside may be used 100 times; one with nested aliases far fewer.
 */
export const MAX_ALIAS_COUNT = 100;

/** The value, or why there is none and where. */
export type PlainValue = { ok: true; value: unknown } | { ok: false; message: string; range?: [number, number] };

/** `doc.toJS()` with alias failures as values. */
export function plainValue(doc: Document): PlainValue {
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    const aliases: Alias[] = [];
    visit(doc, { Alias: (_k, node) => void aliases.push(node) });
    const unresolved = aliases.find((a) => a.resolve(doc) === undefined);
    if (unresolved) {
      return {
        ok: false,
        message: `Undefined YAML alias "*${unresolved.source}": no anchor "&${unresolved.source}" comes before it.`,
        ...rangeOf(unresolved),
      };
    }
    // The bomb: blame the first alias of an anchor that itself holds aliases (what makes it grow).
    const nested = aliases.find((a) => containsAlias(a.resolve(doc))) ?? aliases[0];
    return {
      ok: false,
      message: `YAML aliases expand to too many values (more than ${MAX_ALIAS_COUNT} per anchor), as in an "alias bomb"; write the values out instead.`,
      ...(nested ? rangeOf(nested) : {}),
    };
  }
}

function containsAlias(node: Node | undefined): boolean {
  if (!node || !isCollection(node)) return false;
  let found = false;
  visit(node, { Alias: () => ((found = true), visit.BREAK) });
  return found;
}

function rangeOf(node: Alias): { range?: [number, number] } {
  return node.range ? { range: [node.range[0], node.range[1]] } : {};
}
