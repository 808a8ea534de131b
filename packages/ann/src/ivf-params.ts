/**
 * Parameters of the IVF index family (IVF_FLAT, IVF_SQ8, IVF_PQ), with Milvus's ranges and
 * defaults (Milvus docs, "IVF_FLAT"/"IVF_SQ8"/"IVF_PQ", and knowhere's `IvfConfig`/`IvfPqConfig`):
 * - build `nlist` in [1, 65536], default 128;
 * - search `nprobe` in [1, nlist], default 8 (min(8, nlist) when nlist < 8);
 * - IVF_PQ build `m`: required (knowhere gives it no default), in [1, 65536] and a divisor of dim;
 * - IVF_PQ build `nbits` in [1, 16], default 8 (Milvus's documented range; knowhere accepts up to
 *   24, but 2²⁴-entry codebooks per sub-space are impractical here).
 * Errors are `ShoalError(ErrorCode.ParameterInvalid)` naming the parameter, value and range.
 */
import { invalidParameter } from '@shoal/actors';
import { checkIntRange, rejectUnknownKeys } from './params.ts';
import type { IndexBuildParams, IndexSearchParams, IndexSpec, IndexType } from './types.ts';

/** Ranges and defaults of the IVF parameters (see the module comment). */
export const IVF_LIMITS = {
  nlist: { min: 1, max: 65536, default: 128 },
  nprobe: { min: 1, default: 8 },
  m: { min: 1, max: 65536 },
  nbits: { min: 1, max: 16, default: 8 },
} as const;

/** Validates IVF_FLAT/IVF_SQ8 build parameters (`nlist` only) and fills in the default. */
export function normalizeIvfParams(type: IndexType, params: Record<string, unknown>): IndexBuildParams {
  rejectUnknownKeys(`${type} build`, params, ['nlist']);
  return { nlist: resolveNlist(type, params) };
}

/**
 * Validates IVF_PQ build parameters for vectors of `dim` floats: `nlist`, `m` (required, dividing
 * dim) and `nbits`; fills in the defaults.
 */
export function normalizeIvfPqParams(params: Record<string, unknown>, dim: number): IndexBuildParams {
  rejectUnknownKeys('IVF_PQ build', params, ['nlist', 'm', 'nbits']);
  const nlist = resolveNlist('IVF_PQ', params);
  if (params.m === undefined) throw invalidParameter(`IVF_PQ build parameter m is required: the number of sub-quantizers, a divisor of dim=${dim}`);
  const m = checkIntRange('IVF_PQ build', 'm', params.m, IVF_LIMITS.m.min, IVF_LIMITS.m.max);
  if (dim % m !== 0) throw invalidParameter(`IVF_PQ build parameter m=${m} does not divide dim=${dim}; m must be a divisor of the vector dimension`);
  const { nbits: nb } = IVF_LIMITS;
  const nbits = params.nbits === undefined ? nb.default : checkIntRange('IVF_PQ build', 'nbits', params.nbits, nb.min, nb.max);
  return { nlist, m, nbits };
}

function resolveNlist(type: string, params: Record<string, unknown>): number {
  const { nlist } = IVF_LIMITS;
  return params.nlist === undefined ? nlist.default : checkIntRange(`${type} build`, 'nlist', params.nlist, nlist.min, nlist.max);
}

/**
 * The `nprobe` of a search of an IVF index of `spec`: `params.nprobe` validated to [1, nlist], else
 * min(8, nlist). Throws ParameterInvalid.
 */
export function resolveNprobe(spec: IndexSpec, params: IndexSearchParams | undefined): number {
  const nlist = spec.params.nlist ?? IVF_LIMITS.nlist.default;
  const nprobe = params?.nprobe;
  if (nprobe === undefined) return Math.min(IVF_LIMITS.nprobe.default, nlist);
  return checkIntRange(`${spec.type} search (nlist=${nlist})`, 'nprobe', nprobe, IVF_LIMITS.nprobe.min, nlist);
}
