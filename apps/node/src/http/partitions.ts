/**
 * `/v2/vectordb/partitions/{create,list,has,drop}` with the shapes of Milvus's handler_v2.go
 * (`createPartition`, `listPartitions`, `hasPartitions`, `dropPartition`).
 */
import { ok, type RouteTable } from './route.ts';

/** Handlers for `/partitions/<action>`. */
export const partitionRoutes: RouteTable = {
  '/partitions/create': async (body, { service }) => {
    const name = body.requireString('collectionName');
    await service.createPartition(name, body.requireString('partitionName'));
    return ok({});
  },
  '/partitions/list': async (body, { service }) => ok(await service.listPartitions(body.requireString('collectionName'))),
  '/partitions/has': async (body, { service }) => {
    const name = body.requireString('collectionName');
    return ok({ has: await service.hasPartition(name, body.requireString('partitionName')) });
  },
  '/partitions/drop': async (body, { service }) => {
    const name = body.requireString('collectionName');
    await service.dropPartition(name, body.requireString('partitionName'));
    return ok({});
  },
};
