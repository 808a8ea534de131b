/**
 * `/v2/vectordb/indexes/{create,describe,list,drop}` with the shapes of Milvus's handler_v2.go
 * (`createIndex`, `describeIndex`, `listIndexes`, `dropIndex`).
 */
import type { IndexDescription } from '@shoal/cluster';
import { readIndexParams } from './index-params.ts';
import { ok, type RouteTable } from './route.ts';

/**
 * One index as Milvus's `describeIndex` writes it (`pendingRows` is Milvus's name for
 * `pendingIndexRows`), plus the build `params`, which Milvus leaves out.
 */
function indexDetail(d: IndexDescription): Record<string, unknown> {
  return {
    indexName: d.indexName,
    fieldName: d.fieldName,
    indexType: d.indexType,
    metricType: d.metricType,
    totalRows: d.totalRows,
    pendingRows: d.pendingIndexRows,
    indexedRows: d.indexedRows,
    indexState: d.indexState,
    failReason: d.failReason,
    params: d.params,
  };
}

/** Handlers for `/indexes/<action>`. */
export const indexRoutes: RouteTable = {
  '/indexes/create': async (body, { service }) => {
    const name = body.requireString('collectionName');
    const params = readIndexParams(body, 'indexParams');
    if (params.length === 0) throw body.missing('indexParams');
    await service.createIndex(name, params);
    return ok({});
  },
  '/indexes/describe': async (body, { service }) => {
    const name = body.requireString('collectionName');
    const d = await service.describeIndex(name, body.requireString('indexName'));
    return ok([indexDetail(d)]);
  },
  '/indexes/list': async (body, { service }) => ok(await service.listIndexes(body.requireString('collectionName'))),
  '/indexes/drop': async (body, { service }) => {
    const name = body.requireString('collectionName');
    await service.dropIndex(name, body.requireString('indexName'));
    return ok({});
  },
};
