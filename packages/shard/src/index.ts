/**
 * @shoal/shard — the data plane (DESIGN.md, "Data plane"): collection schemas, rows and columns,
 * growing and sealed segments with MVCC, filter expressions, search and query, the write-ahead
 * log, the object store, and the shard replica that ties them together.
 */
export * from './schema/types.ts';
export * from './schema/build.ts';
export * from './schema/rows.ts';
export * from './schema/vector.ts';
export * from './expr/index.ts';
export type { Segment } from './segment/segment.ts';
export type { RowHit, SearchPlan } from './read/search.ts';
export { groupingField, GROUPABLE_TYPES } from './read/grouping.ts';
export type { GroupBy, GroupedRowHit } from './read/grouping.ts';
export { mergeGroupedParts, applyRefinement } from './read/group-merge.ts';
export type { GroupValue, GroupedPart, GroupHitKeys, MergedGroups } from './read/group-merge.ts';
export type { RowRef } from './read/query.ts';
export { comparePrimaryKeys } from './read/query.ts';
export type { ReadScope } from './read/snapshot.ts';
export { Shard, DEFAULT_SEGMENT_MAX_BYTES, DEFAULT_SEGMENT_MAX_ROWS } from './shard/shard.ts';
export type { ShardOptions } from './shard/shard.ts';
export type { SegmentMemory } from './shard/memory.ts';
export type { VectorIndexProgress } from './shard/vector-field-indexes.ts';
export { openShard } from './shard/open.ts';
export type { ScalarIndex, ScalarIndexType, IndexPredicate, ScalarValue } from './scalar-index/types.ts';
export { buildScalarIndex, isScalarIndexType, validateScalarIndex, SCALAR_INDEX_TYPES } from './scalar-index/build.ts';
export type { ScalarIndexSpec, ScalarIndexProgress } from './scalar-index/segment-builds.ts';
export type { ObjectStore } from './storage/object-store.ts';
export { LocalObjectStore } from './storage/local-object-store.ts';
