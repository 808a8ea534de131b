/**
 * Which scalar index types may index which fields, and building one over a segment's column
 * (Milvus docs, "Index Scalar Fields"):
 * - `INVERTED`: Bool, Int8/16/32/64, Float, Double, VarChar and Array (its elements);
 * - `STL_SORT`: Int8/16/32/64, Float, Double;
 * - `TRIE`: VarChar;
 * - `BITMAP`: Bool, Int8/16/32/64, VarChar and Arrays of those, not the primary key (Milvus
 *   refuses BITMAP on floating-point fields and primary keys).
 * JSON fields (Milvus's JSON path indexes) are not supported yet; vector fields take vector indexes.
 */
import { invalidParameter, notSupported } from '@shoal/actors';
import type { Column, FieldSchema } from '../schema/types.ts';
import { BitmapIndex } from './bitmap.ts';
import { buildDictionary, keyKindOf } from './dictionary.ts';
import { InvertedIndex } from './inverted.ts';
import { StlSortIndex } from './stl-sort.ts';
import { TrieIndex } from './trie.ts';
import type { ScalarIndex, ScalarIndexType } from './types.ts';

/** The scalar index types, in the order error messages list them. */
export const SCALAR_INDEX_TYPES: readonly ScalarIndexType[] = ['INVERTED', 'STL_SORT', 'TRIE', 'BITMAP'];

const INTS = ['Int8', 'Int16', 'Int32', 'Int64'];
/** Data types (for Array fields: element types) each index type takes. */
const ALLOWED: Readonly<Record<ScalarIndexType, { scalar: readonly string[]; arrayElements: readonly string[] }>> = {
  INVERTED: { scalar: ['Bool', ...INTS, 'Float', 'Double', 'VarChar'], arrayElements: ['Bool', ...INTS, 'Float', 'Double', 'VarChar'] },
  STL_SORT: { scalar: [...INTS, 'Float', 'Double'], arrayElements: [] },
  TRIE: { scalar: ['VarChar'], arrayElements: [] },
  BITMAP: { scalar: ['Bool', ...INTS, 'VarChar'], arrayElements: ['Bool', ...INTS, 'VarChar'] },
};

/** True if `type` names a scalar index type. */
export function isScalarIndexType(type: string): type is ScalarIndexType {
  return (SCALAR_INDEX_TYPES as readonly string[]).includes(type);
}

/**
 * Checks that index type `type` may index `field`.
 * @throws ShoalError ParameterInvalid naming the type, the field and its type, and the types the
 *   index takes (also for a vector field or a BITMAP on the primary key); OperationNotSupported
 *   for a JSON field.
 */
export function validateScalarIndex(type: ScalarIndexType, field: FieldSchema): void {
  const allowed = ALLOWED[type];
  const takes = `${type} indexes ${allowed.scalar.join(', ')}${allowed.arrayElements.length > 0 ? ` and Arrays of ${allowed.arrayElements.join(', ')}` : ''}`;
  if (field.dataType === 'JSON') throw notSupported(`scalar indexes on JSON fields (${type} on "${field.name}")`);
  if (field.dataType === 'FloatVector' || field.dataType === 'BinaryVector') {
    throw invalidParameter(`index type ${type} cannot index ${field.dataType} field "${field.name}": it is a scalar index (${takes}); vector fields take FLAT, HNSW, IVF_* or BIN_* indexes`);
  }
  if (type === 'BITMAP' && field.isPrimaryKey) {
    throw invalidParameter(`index type BITMAP cannot index the primary key field "${field.name}" (every value is distinct); use INVERTED${field.dataType === 'VarChar' ? ', TRIE' : ', STL_SORT'} instead`);
  }
  const ok = field.dataType === 'Array' ? allowed.arrayElements.includes(field.elementType ?? '') : allowed.scalar.includes(field.dataType);
  if (!ok) {
    const what = field.dataType === 'Array' ? `Array<${field.elementType}>` : field.dataType;
    throw invalidParameter(`index type ${type} cannot index ${what} field "${field.name}"; ${takes}`);
  }
}

/**
 * Builds a `type` index over `field`'s column of `numRows` rows (`valid`: the field's validity
 * bitmap, 1 = value, `undefined` when not nullable). Nulls (and NaNs, which only `!=` matches)
 * are left out of the terms, so they never match a lookup.
 * @throws ShoalError as {@link validateScalarIndex}; ParameterInvalid for a BITMAP over more
 *   distinct values than `BITMAP_CARDINALITY_LIMIT`.
 */
export function buildScalarIndex(type: ScalarIndexType, field: FieldSchema, column: Column, valid: Uint8Array | undefined, numRows: number): ScalarIndex {
  validateScalarIndex(type, field);
  const isArray = field.dataType === 'Array';
  const dict = buildDictionary(keyKindOf(isArray ? field.elementType! : field.dataType), column, valid, numRows, isArray);
  switch (type) {
    case 'INVERTED': return new InvertedIndex(dict, isArray);
    case 'STL_SORT': return new StlSortIndex(dict);
    case 'TRIE': return new TrieIndex(dict);
    case 'BITMAP': return new BitmapIndex(dict, field.name, isArray);
  }
}
