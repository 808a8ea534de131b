/**
 * Reading and comparing values inside JSON columns, the dynamic field `$meta` and Array columns,
 * with Milvus's rules for JSON filters (`internal/core/src/exec/expression/UnaryExpr.cpp`,
 * `JsonContainsExpr.cpp`): a value is compared with a literal only when their types agree —
 * numbers with numbers (integers and doubles numerically; JSON integers beyond 2^53 are bigints
 * and compare exactly), strings with strings (by code point), booleans with booleans; a missing
 * value or one of another type does not match.
 */
import type { BoundStep, JsonLiteral, JsonScalar } from './bound.ts';
import { compareCodePoints } from './order.ts';

/**
 * The value at `path` inside `root` (a parsed JSON value or an Array row), or `undefined` when a
 * key is missing (own keys only), an index is out of range, or a step meets a non-container.
 * Keys step into objects only (not arrays), indexes into arrays only.
 */
export function walkPath(root: unknown, path: readonly BoundStep[]): unknown {
  let v = root;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(v) || step >= v.length) return undefined;
      v = v[step];
    } else {
      if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, step)) return undefined;
      v = (v as Record<string, unknown>)[step];
    }
  }
  return v;
}

/**
 * A function reading the value at `path` (the same answers as {@link walkPath}), specialised for
 * the hot loop: keys that `Object.prototype` does not have are read without `Object.hasOwn`.
 */
export function pathReader(path: readonly BoundStep[]): (root: unknown) => unknown {
  const step = (s: BoundStep): ((v: unknown) => unknown) => {
    if (typeof s === 'number') return (v) => (Array.isArray(v) && s < v.length ? v[s] : undefined);
    if (s in Object.prototype) {
      return (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, s)
        ? (v as Record<string, unknown>)[s] : undefined);
    }
    return (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[s] : undefined);
  };
  if (path.length === 0) return (v) => v;
  if (path.length === 1) return step(path[0]);
  const steps = path.map(step);
  if (steps.length === 2) {
    const [a, b] = steps;
    return (v) => b(a(v));
  }
  return (v) => {
    let x = v;
    for (let k = 0; k < steps.length && x !== undefined; k++) x = steps[k](x);
    return x;
  };
}

/** True for a JS number or bigint (a JSON number). */
export function isNumeric(v: unknown): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}

/**
 * The order of a stored value `x` against the literal `lit`: negative, 0 or positive; `undefined`
 * when they cannot be compared (missing, another type, an object or array, or NaN).
 */
export function jsonOrder(x: unknown, lit: JsonScalar): number | undefined {
  if (typeof lit === 'string') return typeof x === 'string' ? compareCodePoints(x, lit) : undefined;
  if (typeof lit === 'boolean') return typeof x === 'boolean' ? (x === lit ? 0 : x ? 1 : -1) : undefined;
  if (!isNumeric(x)) return undefined;
  return x < lit ? -1 : x > lit ? 1 : x == lit ? 0 : undefined; // == is exact between a number and a bigint
}

/** Deep equality of a stored value and a literal under the JSON rules (lists element by element). */
export function jsonEquals(x: unknown, lit: JsonLiteral): boolean {
  if (Array.isArray(lit)) {
    if (!Array.isArray(x) || x.length !== lit.length) return false;
    for (let k = 0; k < lit.length; k++) if (!jsonEquals(x[k], lit[k])) return false;
    return true;
  }
  return jsonOrder(x, lit) === 0;
}
