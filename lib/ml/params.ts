/**
 * Typed, validated params. The engine hands a stage its params as untyped JSON; each experiment
 * declares its params once, as a spec built from the fields below, and gets both the TypeScript
 * type (`Infer<typeof SPEC>`) and the check from that one declaration. A stage validates before
 * it trains, so a missing or mistyped param stops it with every problem named by its dotted
 * path in pipeline.yaml (`ex1.units: expected an integer ≥ 1, got "64"`).
 *
 * User errors are values here ({@link ParamCheck}); the stage prints them and exits.
 */

/** A param's check: the value at `path`, or undefined with messages pushed to `errors`. */
export interface Field<T> {
  check(value: unknown, path: string, errors: string[]): T | undefined;
  /** Missing keys are allowed (only {@link optional} sets this). */
  readonly optional?: boolean;
}

/** The type a field checks for. */
export type Infer<F> = F extends Field<infer T> ? T : never;

/** The outcome of {@link checkParams}. */
export type ParamCheck<T> = { ok: true; value: T } | { ok: false; errors: string[] };

const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));

function fail<T>(errors: string[], path: string, expected: string, got: unknown): T | undefined {
  errors.push(`${path}: expected ${expected}, got ${show(got)}`);
  return undefined;
}

/** Bounds of a {@link num}. */
export interface NumberBounds {
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound (a rate that must be positive). */
  above?: number;
  /** Inclusive upper bound. */
  max?: number;
  integer?: boolean;
}

/** A finite number within `bounds`. */
export function num(bounds: NumberBounds = {}): Field<number> {
  const parts = [
    bounds.integer ? 'an integer' : 'a number',
    bounds.min !== undefined ? `≥ ${bounds.min}` : '',
    bounds.above !== undefined ? `> ${bounds.above}` : '',
    bounds.max !== undefined ? `≤ ${bounds.max}` : '',
  ].filter(Boolean);
  const expected = parts.join(' ');
  return {
    check: (v, path, errors) => {
      const ok = typeof v === 'number' && Number.isFinite(v) && (!bounds.integer || Number.isInteger(v))
        && (bounds.min === undefined || v >= bounds.min) && (bounds.above === undefined || v > bounds.above)
        && (bounds.max === undefined || v <= bounds.max);
      return ok ? (v as number) : fail(errors, path, expected, v);
    },
  };
}

/** Shorthands for the bounds that recur: counts, positive reals, probabilities. */
export const count = (min = 1): Field<number> => num({ integer: true, min });
export const positive = (): Field<number> => num({ above: 0 });
export const fraction = (): Field<number> => num({ min: 0, max: 1 });

/** A count ≥ `min`, or the string 'all' (every item there is). */
export function countOrAll(min = 1): Field<number | 'all'> {
  const n = count(min);
  return {
    check: (v, path, errors) => (v === 'all' ? 'all' : typeof v === 'number' ? n.check(v, path, errors) : fail(errors, path, `an integer ≥ ${min} or "all"`, v)),
  };
}

/** true or false. */
export const bool = (): Field<boolean> => ({
  check: (v, path, errors) => (typeof v === 'boolean' ? v : fail(errors, path, 'true or false', v)),
});

/** One of the given strings. */
export function oneOf<const V extends readonly string[]>(values: V): Field<V[number]> {
  return {
    check: (v, path, errors) =>
      typeof v === 'string' && values.includes(v) ? (v as V[number]) : fail(errors, path, `one of ${values.join(', ')}`, v),
  };
}

/** A non-empty list of `item`s. */
export function listOf<T>(item: Field<T>): Field<T[]> {
  return {
    check: (v, path, errors) => {
      if (!Array.isArray(v) || v.length === 0) return fail(errors, path, 'a non-empty list', v);
      const before = errors.length;
      const out = v.map((x, i) => item.check(x, `${path}[${i}]`, errors));
      return errors.length === before ? (out as T[]) : undefined;
    },
  };
}

/** The field, or nothing: the key may be left out. */
export function optional<T>(field: Field<T>): Field<T | undefined> & { readonly optional: true } {
  return { optional: true, check: (v, path, errors) => (v === undefined ? undefined : field.check(v, path, errors)) };
}

type Shape = Record<string, Field<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { readonly optional: true } ? K : never }[keyof S];
type Flat<T> = { [K in keyof T]: T[K] };
/** The object type a {@link obj} spec checks for; optional fields become optional keys. */
export type ObjectOf<S extends Shape> = Flat<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined> }
>;

/** An object with exactly these keys (an unknown key is an error: it is usually a typo). */
export function obj<S extends Shape>(shape: S): Field<ObjectOf<S>> & { readonly shape: S } {
  return {
    shape,
    check: (v, path, errors) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(errors, path, 'an object', v);
      const before = errors.length;
      const rec = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      const at = (k: string): string => (path === '' ? k : `${path}.${k}`);
      for (const [k, field] of Object.entries(shape)) {
        if (!(k in rec) || rec[k] === undefined) {
          if (!field.optional) errors.push(`${at(k)}: missing`);
          continue;
        }
        out[k] = field.check(rec[k], at(k), errors);
      }
      for (const k of Object.keys(rec)) if (!(k in shape)) errors.push(`${at(k)}: unknown param (known: ${Object.keys(shape).join(', ')})`);
      return errors.length === before ? (out as ObjectOf<S>) : undefined;
    },
  };
}

/**
 * Check `value` against `spec`; every problem is reported, not only the first. `path` names
 * where `value` sits in pipeline.yaml when it is not the whole params object (`data.g2p`).
 */
export function checkParams<T>(spec: Field<T>, value: unknown, path = ''): ParamCheck<T> {
  const errors: string[] = [];
  const out = spec.check(value, path, errors);
  return errors.length === 0 ? { ok: true, value: out as T } : { ok: false, errors };
}
