/**
 * What an index type plugs into the registry (`registry.ts`): parameter validation, build and load.
 * Adding an index type (IVF_FLAT, BIN_FLAT, …) = one module implementing `IndexFactory` + one registry entry.
 */
import type { BuildOptions, IndexBuildParams, IndexSearchParams, IndexSpec, IndexType, VectorIndex } from './types.ts';

/** The implementation of one index type. */
export interface IndexFactory {
  /** The Milvus `index_type` this factory builds. */
  readonly type: IndexType;
  /**
   * Validates the build parameters of this type (unknown names and out-of-range values throw
   * `ShoalError(ErrorCode.ParameterInvalid)`) and returns them with every default filled in.
   * `dim` (already validated) is the vector dimension, for parameters constrained by it.
   */
  normalizeBuildParams(params: Record<string, unknown>, dim: number): IndexBuildParams;
  /**
   * Validates the search parameters of this type for top-`k` (already checked to be an integer
   * ≥ 1) against an index of `spec` (its build parameters may lack defaults); names this type
   * does not know are ignored. Throws ParameterInvalid.
   */
  checkSearchParams(k: number, params: IndexSearchParams | undefined, spec: IndexSpec): void;
  /**
   * Builds an index over rows 0..count−1 of `vectors`, row-major: `count × spec.dim` floats in a
   * `Float32Array` for a float type, `count × spec.dim/8` bytes in a `Uint8Array` for a binary type
   * (`buildIndex` has checked the kind and length). `spec` is validated and normalized.
   * Synchronous: run it off the request thread (see `IndexBuilder`).
   */
  build(spec: IndexSpec, vectors: Float32Array | Uint8Array, count: number, opts: BuildOptions): VectorIndex;
  /**
   * Rebuilds an index from the payload of its file (`format.ts`), given the validated spec and count
   * from the header. Throws `ShoalError(ErrorCode.IoFailed)` if the payload does not fit them.
   */
  load(spec: IndexSpec, count: number, payload: Uint8Array): VectorIndex;
  /** As `load`, doing slow I/O (if any) without blocking the calling thread. */
  loadAsync(spec: IndexSpec, count: number, payload: Uint8Array): Promise<VectorIndex>;
}
