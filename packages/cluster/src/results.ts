import { ErrorCode, ShoalError, invalidParameter } from '@shoal/actors';
import { smallerIsBetter } from '@shoal/ann';
import type { MetricType } from '@shoal/ann';
import { comparePrimaryKeys, DYNAMIC_FIELD } from '@shoal/shard';
import type { CollectionSchema } from '@shoal/shard';
import type { SearchHit } from './service.ts';

/**
 * The fields a read returns: `*` means every field (and, with the dynamic field enabled, `$meta`:
 * every dynamic key as a top-level key of the row); names must exist, except that with the
 * dynamic field enabled `$meta` and any other name are allowed — an undeclared name is a dynamic
 * key, returned when a row has it (Milvus "Dynamic Field"). The primary key is always included
 * when `withPk` (queries and gets); searches return it as the hit's `id`. Vectors are returned only
 * when asked for by name or `*`. The shard turns these names into row entries (`outputRow` of
 * `@shoal/shard`).
 * @throws ShoalError FieldNotFound naming the unknown field; ParameterInvalid if `requested` is not an array of strings.
 */
export function resolveOutputFields(schema: CollectionSchema, requested: unknown, withPk: boolean): string[] {
  if (!Array.isArray(requested)) throw invalidParameter('outputFields must be an array of field names');
  const names = new Set<string>();
  const pk = schema.fields.find((f) => f.isPrimaryKey)!;
  if (withPk) names.add(pk.name);
  for (const r of requested) {
    if (r === '*') {
      for (const f of schema.fields) names.add(f.name);
      if (schema.enableDynamicField) names.add(DYNAMIC_FIELD);
      continue;
    }
    if (typeof r !== 'string' || r === '') throw invalidParameter(`outputFields must hold field names (non-empty strings), got ${JSON.stringify(r)}`);
    if (!schema.enableDynamicField && !schema.fields.some((f) => f.name === r)) {
      throw new ShoalError(ErrorCode.FieldNotFound, `field ${JSON.stringify(r)} does not exist in collection "${schema.name}"; fields: ${schema.fields.map((f) => f.name).join(', ')}`);
    }
    names.add(r);
  }
  return [...names];
}

/** Sorts hits best first under `metric` (distances ascending, similarities descending: `smallerIsBetter`); ties by primary key (`comparePrimaryKeys`: VarChar keys by code point, as shards, filters and iterators order them). */
export function sortHits(metric: MetricType, hits: SearchHit[]): SearchHit[] {
  const sign = smallerIsBetter(metric) ? 1 : -1;
  return hits.sort((a, b) => sign * (a.distance - b.distance) || comparePrimaryKeys(a.id, b.id));
}
