/**
 * The index types Shoal can build and load, by Milvus `index_type`. Each entry implements
 * `IndexFactory`; a new index type is added here (and to the `IndexType` union, which makes this
 * table fail to type-check until the entry exists).
 */
import { ErrorCode, ShoalError } from '@shoal/actors';
import { binFlatFactory } from './bin-flat.ts';
import { binIvfFlatFactory } from './bin-ivf-flat.ts';
import type { IndexFactory } from './factory.ts';
import { flatFactory } from './flat.ts';
import { ivfFlatFactory } from './ivf-flat.ts';
import { ivfPqFactory } from './ivf-pq.ts';
import { ivfSq8Factory } from './ivf-sq8.ts';
import { hnswFactory } from './node/hnsw.ts';
import { show } from './params.ts';
import type { IndexType } from './types.ts';

const FACTORIES: Readonly<Record<IndexType, IndexFactory>> = {
  FLAT: flatFactory,
  HNSW: hnswFactory,
  IVF_FLAT: ivfFlatFactory,
  IVF_SQ8: ivfSq8Factory,
  IVF_PQ: ivfPqFactory,
  BIN_FLAT: binFlatFactory,
  BIN_IVF_FLAT: binIvfFlatFactory,
};

/** The index types this build supports, in registry order. */
export const INDEX_TYPES: readonly IndexType[] = Object.keys(FACTORIES) as IndexType[];

/** Milvus index types of float vectors that Shoal does not build (yet). */
const MILVUS_ONLY_TYPES = ['IVF_RABITQ', 'HNSW_SQ', 'HNSW_PQ', 'HNSW_PRQ', 'DISKANN', 'SCANN',
  'GPU_BRUTE_FORCE', 'GPU_IVF_FLAT', 'GPU_IVF_PQ', 'GPU_CAGRA'];

/**
 * The factory of index type `type`. Throws `ShoalError(ErrorCode.IndexNotSupported)` for a Milvus
 * index type not built by Shoal yet, and `ShoalError(ErrorCode.ParameterInvalid)` for a name that
 * is no Milvus index type; both name the type and the supported ones.
 */
export function indexFactory(type: string): IndexFactory {
  if (typeof type === 'string' && Object.hasOwn(FACTORIES, type)) return FACTORIES[type as IndexType];
  const supported = `supported index types: ${INDEX_TYPES.join(', ')}`;
  if (MILVUS_ONLY_TYPES.includes(type)) throw new ShoalError(ErrorCode.IndexNotSupported, `index_type=${type} is not supported yet by Shoal; ${supported}`);
  throw new ShoalError(ErrorCode.ParameterInvalid, `index_type=${show(type)} is not a valid index type; ${supported}`);
}
