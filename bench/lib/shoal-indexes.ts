/**
 * The Shoal indexes of a sweep: which types to build over a float dataset, with which parameters,
 * and the search parameter each is swept over.
 * - FLAT: exact, one point.
 * - HNSW: M and efConstruction as given (default 16 / 200, Milvus's defaults); swept over ef.
 * - IVF_FLAT, IVF_SQ8, IVF_PQ: `nlist` as given, else round(4·√n) (the rule of thumb of Milvus's
 *   and faiss's guidelines, "nlist ≈ 4·√n"); swept over nprobe ∈ {1, 2, 4, …, 64, nlist}.
 *   IVF_PQ: one index per `m` given, else the divisors of dim nearest dim/4 and dim/8 (one or two
 *   bytes of code per 16–32 raw bytes), nbits 8.
 * - BIN_FLAT, BIN_IVF_FLAT index binary vectors only: they are skipped on float datasets.
 */
import type { IndexSpec, IndexType, MetricType } from '@shoal/ann';

/** ef values of the HNSW sweeps (Shoal and the raw libraries alike). */
export const EF_SWEEP = [10, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512];

/** One Shoal index to build: its curve name, spec and swept search parameter. */
export interface ShoalIndexPlan {
  series: string;
  spec: IndexSpec;
  /** The swept search parameter, or null for FLAT. */
  param: 'ef' | 'nprobe' | null;
  values: number[];
}

/** Sweep settings shared by every index of a dataset. */
export interface PlanSettings {
  M: number;
  efConstruction: number;
  /** IVF nlist; undefined = round(4·√n). */
  nlist?: number;
  /** IVF_PQ sub-quantizer counts; empty = the divisors of dim nearest dim/4 and dim/8. */
  pqM: number[];
}

/** The divisor of `dim` nearest `target` (the smaller one on a tie). */
export function nearestDivisor(dim: number, target: number): number {
  let best = 1;
  for (let d = 1; d <= dim; d++) if (dim % d === 0 && Math.abs(d - target) < Math.abs(best - target)) best = d;
  return best;
}

/** Default IVF nlist for n rows: round(4·√n), at least 1. */
export function defaultNlist(n: number): number {
  return Math.max(1, Math.round(4 * Math.sqrt(n)));
}

/** nprobe values of an IVF sweep: powers of two up to 64 that are below nlist, then nlist. */
export function nprobeSweep(nlist: number): number[] {
  return [1, 2, 4, 8, 16, 32, 64].filter((v) => v < nlist).concat([nlist]);
}

/** True for the index types of binary vectors (skipped on float datasets). */
export function isBinaryType(type: string): boolean {
  return type.startsWith('BIN_');
}

/**
 * The Shoal indexes to build for `types` over `n × dim` vectors with `metric`. Throws `Error` for a
 * given IVF_PQ m that does not divide dim.
 */
export function planShoalIndexes(types: readonly IndexType[], metric: MetricType, n: number, dim: number, s: PlanSettings): ShoalIndexPlan[] {
  const nlist = s.nlist ?? defaultNlist(n);
  const plans: ShoalIndexPlan[] = [];
  for (const type of types) {
    if (type === 'FLAT') plans.push({ series: 'Shoal FLAT', spec: { type, metric, dim, params: {} }, param: null, values: [] });
    else if (type === 'HNSW') {
      plans.push({ series: 'Shoal HNSW', spec: { type, metric, dim, params: { M: s.M, efConstruction: s.efConstruction } }, param: 'ef', values: EF_SWEEP });
    } else if (type === 'IVF_FLAT' || type === 'IVF_SQ8') {
      plans.push({ series: `Shoal ${type}`, spec: { type, metric, dim, params: { nlist } }, param: 'nprobe', values: nprobeSweep(nlist) });
    } else if (type === 'IVF_PQ') {
      const ms = s.pqM.length > 0 ? s.pqM : [...new Set([nearestDivisor(dim, dim / 4), nearestDivisor(dim, dim / 8)])];
      for (const m of ms) {
        if (dim % m !== 0) throw new Error(`IVF_PQ m=${m} does not divide dim=${dim}`);
        plans.push({ series: `Shoal IVF_PQ m=${m}`, spec: { type, metric, dim, params: { nlist, m, nbits: 8 } }, param: 'nprobe', values: nprobeSweep(nlist) });
      }
    }
  }
  return plans;
}
