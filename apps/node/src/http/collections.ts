/**
 * `/v2/vectordb/collections/*` endpoints, with the request and response shapes of Milvus's
 * handler_v2.go (`createCollection`, `getCollectionDetails`, `listCollections`, `hasCollection`,
 * `dropCollection`, `loadCollection`, `releaseCollection`, `getCollectionLoadState`,
 * `getCollectionStats`, flush). `get_stats` adds Shoal's `memory` report to Milvus's `rowCount`
 * (`CollectionStats` of `@shoal/cluster`; docs/api.md).
 */
import type { CollectionDescription } from '@shoal/cluster';
import type { FieldSchema } from '@shoal/shard';
import { ErrorCode, ShoalError, notSupported } from '@shoal/actors';
import { readCreateCollection } from './collection-create.ts';
import { float32Shortest } from './wire.ts';
import { ok, type RouteTable } from './route.ts';

/** Milvus's `schemapb.ValueField` oneof member of each type's default value (its Go JSON form). */
const DEFAULT_VALUE_KEY: Partial<Record<FieldSchema['dataType'], string>> = {
  Bool: 'BoolData', Int8: 'IntData', Int16: 'IntData', Int32: 'IntData', Int64: 'LongData',
  Float: 'FloatData', Double: 'DoubleData', VarChar: 'StringData',
};

/**
 * One field as Milvus's `printFieldDetail` (REST v2 flavour) writes it: `nullable`; `defaultValue`
 * as Go's JSON of the `schemapb.ValueField` proto (`{"Data": {"LongData": 5}}`; a Float in its
 * shortest float32 form, as Go writes a `float32`); `params` (the
 * type params: `dim`, `max_length`, `max_capacity`); `elementType` for Array fields.
 */
function fieldDetail(f: FieldSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: f.name,
    id: f.fieldId,
    type: f.dataType,
    primaryKey: f.isPrimaryKey,
    partitionKey: f.isPartitionKey ?? false,
    clusteringKey: false,
    autoId: f.autoId,
    description: f.description ?? '',
    nullable: f.nullable ?? false,
  };
  if (f.defaultValue !== undefined) {
    const value = f.dataType === 'Float' ? float32Shortest(f.defaultValue as number) : f.defaultValue;
    out.defaultValue = { Data: { [DEFAULT_VALUE_KEY[f.dataType]!]: value } };
  }
  const params: { key: string; value: string }[] = [];
  if (f.dim !== undefined) params.push({ key: 'dim', value: String(f.dim) });
  if (f.maxLength !== undefined) params.push({ key: 'max_length', value: String(f.maxLength) });
  if (f.maxCapacity !== undefined) params.push({ key: 'max_capacity', value: String(f.maxCapacity) });
  if (params.length > 0) out.params = params;
  if (f.dataType === 'Array') out.elementType = f.elementType;
  return out;
}

/** A `CollectionDescription` as Milvus's `getCollectionDetails` writes it. */
function describePayload(d: CollectionDescription): Record<string, unknown> {
  const pk = d.schema.fields.find((f) => f.isPrimaryKey);
  const hasPartitionKey = d.schema.fields.some((f) => f.isPartitionKey);
  return {
    collectionName: d.collectionName,
    collectionID: d.collectionId,
    description: d.description,
    autoId: pk?.autoId ?? false,
    fields: d.schema.fields.map(fieldDetail),
    functions: [],
    aliases: [],
    indexes: d.indexes.map((i) => ({ indexName: i.indexName, fieldName: i.fieldName, metricType: i.metricType })),
    load: d.loadState,
    shardsNum: d.shardsNum,
    partitionsNum: hasPartitionKey ? d.partitions.length : 0,
    consistencyLevel: d.consistencyLevel,
    enableDynamicField: d.schema.enableDynamicField,
    properties: [],
  };
}

/** Handlers for `/collections/<action>`. */
export const collectionRoutes: RouteTable = {
  '/collections/create': async (body, { service }) => {
    await service.createCollection(readCreateCollection(body));
    return ok({});
  },
  '/collections/describe': async (body, { service }) => {
    const d = await service.describeCollection(body.requireString('collectionName'));
    return { ...ok(describePayload(d)), message: '' };
  },
  '/collections/list': async (_body, { service }) => ok(await service.listCollections()),
  '/collections/has': async (body, { service }) =>
    ok({ has: await service.hasCollection(body.requireString('collectionName')) }),
  '/collections/drop': async (body, { service }) => {
    await service.dropCollection(body.requireString('collectionName'));
    return ok({});
  },
  '/collections/load': async (body, { service }) => {
    await service.loadCollection(body.requireString('collectionName'));
    return ok({});
  },
  '/collections/release': async (body, { service }) => {
    await service.releaseCollection(body.requireString('collectionName'));
    return ok({});
  },
  '/collections/get_load_state': async (body, { service }) => {
    const name = body.requireString('collectionName');
    const partitions = body.raw('partitionNames');
    if ((Array.isArray(partitions) || typeof partitions === 'string') && partitions.length > 0) {
      throw notSupported('the load state of single partitions (partitionNames)');
    }
    const { loadState, loadProgress } = await service.getLoadState(name);
    if (loadState === 'LoadStateNotExist') {
      throw new ShoalError(ErrorCode.CollectionNotFound, `collection not found[collection=${name}]`);
    }
    if (loadState === 'LoadStateNotLoad') return ok({ loadState });
    return ok({ loadState, loadProgress });
  },
  '/collections/get_stats': async (body, { service }) => {
    const { rowCount, memory } = await service.getCollectionStats(body.requireString('collectionName'));
    return ok({ rowCount, memory });
  },
  '/collections/flush': async (body, { service }) => {
    await service.flush(body.requireString('collectionName'));
    return ok({});
  },
};
