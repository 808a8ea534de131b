/**
 * The filtered-search planner: given how many of an index's rows pass a filter, choose between
 * an exact scan of the passing rows and an index search with adjusted parameters, so that
 * recall stays at its unfiltered level at every selectivity (issue 3; the well-known weakness of
 * filtered ANN search is recall collapsing when the filter is selective).
 *
 * Rules (s = passing / count):
 * - FLAT, BIN_FLAT: already exact; the filter bitset is applied inside the scan.
 * - IVF_FLAT, IVF_SQ8, IVF_PQ, BIN_IVF_FLAT: a probe of `nprobe` lists finds on average only
 *   s · (rows of those lists) candidates, so the probe is widened to `nprobe' = ⌈nprobe / s⌉` —
 *   the same expected number of passing candidates as an unfiltered search, at about the same
 *   cost in distance computations (rows failing the filter are skipped before any arithmetic).
 *   When `nprobe'` reaches `nlist` the whole index would be probed: the exact scan of the passing
 *   rows (s · count distances, no centroid work) is then cheaper and exact, so it is chosen.
 * - HNSW: hnswlib's filtered search keeps walking the graph through failing nodes until it holds
 *   `ef` passing ones, so its cost grows like ef / s visited nodes while an exact scan costs
 *   s · count distances. Below `HNSW_EXACT_SELECTIVITY` the exact scan is chosen — the threshold of
 *   Milvus's knowhere (`kHnswSearchBFFilterThreshold` = 0.93 of rows filtered out, i.e. s ≤ 0.07),
 *   which also keeps recall where graph search over a sparse passing set degrades.
 *
 * - Any index: when at most k rows pass, all of them are the answer; they are scanned exactly.
 *
 * Deleted and not-yet-visible rows are part of the filter (their bits are clear), so the planner
 * also compensates for them.
 */
import { IVF_LIMITS, resolveNprobe } from './ivf-params.ts';
import type { IndexSearchParams, IndexSpec } from './types.ts';

/** Fraction of rows passing at or below which an HNSW search scans the passing rows exactly (knowhere's 1 − 0.93). */
export const HNSW_EXACT_SELECTIVITY = 0.07;

/** What to run for one filtered search over one index. */
export interface FilteredSearchPlan {
  /** True: scan the passing rows exactly (FLAT over the same vectors, with the bitset) instead of the index. */
  exact: boolean;
  /** The search parameters to pass (the caller's, with IVF `nprobe` widened; unchanged when exact). */
  params: IndexSearchParams;
}

/**
 * Plans a search for the top-`k` of an index of `spec` over `count` rows of which `passing`
 * (0 ≤ passing ≤ count) pass the filter (see the module comment for the rules and their sources).
 * `params` are the caller's search parameters; an invalid `nprobe` throws
 * `ShoalError(ErrorCode.ParameterInvalid)` as the index's own search would.
 */
export function planFilteredSearch(spec: IndexSpec, count: number, passing: number, k: number, params: IndexSearchParams | undefined): FilteredSearchPlan {
  const given = params ?? {};
  if (passing >= count || count === 0) return { exact: false, params: given };
  if (!spec.type.includes('IVF') && spec.type !== 'HNSW') return { exact: false, params: given }; // FLAT, BIN_FLAT: exact already
  if (passing <= k) return { exact: true, params: given }; // every passing row is in the answer
  const s = passing / count;
  if (spec.type === 'HNSW') return { exact: s <= HNSW_EXACT_SELECTIVITY, params: given };
  const nlist = spec.params.nlist ?? IVF_LIMITS.nlist.default;
  const nprobe = resolveNprobe(spec, given);
  const widened = passing === 0 ? nlist : Math.ceil(nprobe / s);
  if (widened >= nlist) return { exact: true, params: given };
  return { exact: false, params: { ...given, nprobe: widened } };
}
