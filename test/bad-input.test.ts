/**
 * Bad input against a real `shoal start` process: malformed JSON, wrong vector dimension, wrong
 * field types, unknown fields and collections, bad filters, duplicate primary keys. Each answer is
 * HTTP 200 with a Milvus error code and a message that names the problem; a rejected batch writes
 * nothing (count(*) unchanged, its good rows absent — also after a restart, so nothing of it
 * reached the write-ahead log); and the node keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShoalProcess } from './helpers/node-process.ts';
import { call, countRows, post } from './helpers/rest.ts';

const C = 'bad_input';

/** A valid row of the test collection. */
function good(id: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, tag: `t${id % 10}`, n: id, vector: [id, 1, 2, 3], ...extra };
}

describe('bad input is rejected with a clear Milvus error and leaves nothing behind', () => {
  let node: ShoalProcess;

  beforeAll(async () => {
    node = await ShoalProcess.start({ args: ['--index-workers', '1'] });
    await call(node.url, '/collections/create', {
      collectionName: C,
      schema: {
        fields: [
          { fieldName: 'id', dataType: 'Int64', isPrimary: true },
          { fieldName: 'tag', dataType: 'VarChar', elementTypeParams: { max_length: 8 } },
          { fieldName: 'n', dataType: 'Int32' },
          { fieldName: 'vector', dataType: 'FloatVector', elementTypeParams: { dim: 4 } },
        ],
      },
      indexParams: [{ fieldName: 'vector', indexName: 'vector', metricType: 'L2', indexType: 'FLAT' }],
      params: { consistencyLevel: 'Strong' },
    });
    await call(node.url, '/entities/insert', { collectionName: C, data: [good(1), good(2), good(3)] });
  });

  afterAll(async () => {
    await node?.dispose();
  });

  /** Sends `body` to `path`, expects error `code` with a message matching every pattern, and count(*) still `rows`. */
  async function rejected(path: string, body: unknown, code: number, patterns: RegExp[], rows = 3): Promise<void> {
    const answer = await post(node.url, path, body);
    expect(answer.code, `${path} ${typeof body === 'string' ? body : JSON.stringify(body)} → ${JSON.stringify(answer)}`).toBe(code);
    expect(answer.data).toBeUndefined();
    for (const p of patterns) expect(answer.message).toMatch(p);
    expect(await countRows(node.url, C)).toBe(rows);
  }

  it('malformed JSON → 1801 with the parser position', async () => {
    await rejected('/entities/insert', `{"collectionName":"${C}","data":[{"id":9}`, 1801, [/not valid JSON/, /position \d+/]);
    await rejected('/entities/insert', '', 1801, [/body is empty/]);
    await rejected('/entities/insert', '[1,2]', 1801, [/must be a JSON object, got array/]);
    await rejected('/entities/insert', { collectionName: C, data: 'rows' }, 1801, [/`data` must be an array/]);
  });

  it('wrong vector dimension → 1100 naming the field, the dimension and the row', async () => {
    await rejected('/entities/insert', { collectionName: C, data: [good(10), good(11, { vector: [1, 2, 3] })] }, 1100,
      [/row 1/, /"vector"/, /dimension 4/, /length 3/]);
    await rejected('/entities/search', { collectionName: C, data: [[1, 2, 3, 4, 5]], limit: 3 }, 1100, [/dimension 5/, /dimension 4/]);
    await rejected('/entities/insert', { collectionName: C, data: [good(10, { vector: [1, 2, 'x', 4] })] }, 1100, [/"vector"/]);
  });

  it('wrong field types, out-of-range values, unknown and missing fields → 1100 naming the field', async () => {
    await rejected('/entities/insert', { collectionName: C, data: [good(10), good(11, { n: 'seven' })] }, 1100, [/row 1/, /"n"/, /Int32/, /"seven"/]);
    await rejected('/entities/insert', { collectionName: C, data: [good(10, { n: 3_000_000_000 })] }, 1100, [/"n"/, /3000000000/]);
    await rejected('/entities/insert', { collectionName: C, data: [good(10, { tag: 5 })] }, 1100, [/"tag"/, /VarChar/, /expected a string/]);
    await rejected('/entities/insert', { collectionName: C, data: [good(10, { tag: 'much too long' })] }, 1100, [/"tag"/, /max_length = 8/]);
    await rejected('/entities/insert', { collectionName: C, data: [good(10, { color: 'red' })] }, 1100, [/"color" does not exist/]);
    const missing = good(10);
    delete missing.n;
    await rejected('/entities/insert', { collectionName: C, data: [missing] }, 1100, [/"n"/, /missing/]);
    await rejected('/entities/insert', { collectionName: C, data: [good(10, { id: 'ten' })] }, 1100, [/"id"/]);
  });

  it('unknown collection → 100 naming it', async () => {
    await rejected('/entities/insert', { collectionName: 'no_such_collection', data: [good(10)] }, 100, [/collection not found/, /no_such_collection/]);
    await rejected('/entities/query', { collectionName: 'no_such_collection', filter: 'id > 0', limit: 5 }, 100, [/no_such_collection/]);
    await rejected('/collections/describe', { collectionName: 'no_such_collection' }, 100, [/no_such_collection/]);
    await rejected('/collections/create', { dimension: 4 }, 1802, [/collectionName/]);
  });

  it('bad filters → an error quoting the filter and the position; a bad delete deletes nothing', async () => {
    await rejected('/entities/query', { collectionName: C, filter: 'n in [', limit: 5 }, 1100, [/"n in \["/, /column 7/]);
    await rejected('/entities/query', { collectionName: C, filter: 'nosuch == 3', limit: 5 }, 1100, [/"nosuch"/, /does not exist/]);
    await rejected('/entities/query', { collectionName: C, filter: 'tag == 3', limit: 5 }, 1100, [/"tag"/, /VarChar/]);
    await rejected('/entities/search', { collectionName: C, data: [[1, 2, 3, 4]], limit: 3, filter: 'n >' }, 1100, [/"n >"/]);
    await rejected('/entities/delete', { collectionName: C, filter: 'id in [1, 2' }, 1100, [/"id in \[1, 2"/]);
    await rejected('/entities/delete', { collectionName: C, filter: 'n >> 1' }, 3000, [/not supported/]);
  });

  it('duplicate primary keys → 1100; the whole batch is rejected, its new rows absent', async () => {
    await rejected('/entities/insert', { collectionName: C, data: [good(20), good(2)] }, 1100, [/primary key 2 already exists/, new RegExp(C)]);
    await rejected('/entities/insert', { collectionName: C, data: [good(21), good(21)] }, 1100, [/duplicate primary key 21 in the batch/]);
    expect(await call(node.url, '/entities/get', { collectionName: C, id: [20, 21], outputFields: ['id'] })).toEqual([]);
  });

  it('keeps serving: healthz, a good insert and search; rejected batches do not come back after a restart', async () => {
    const health = await fetch(`${node.url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ins = await call<{ insertCount: number; insertIds: number[] }>(node.url, '/entities/insert', { collectionName: C, data: [good(10), good(20)] });
    expect(ins).toEqual({ insertCount: 2, insertIds: [10, 20] });
    expect(await countRows(node.url, C)).toBe(5);
    await node.restart();
    expect(await countRows(node.url, C)).toBe(5);
    const rows = await call<{ id: number; n: number; tag: string }[]>(node.url, '/entities/query',
      { collectionName: C, filter: 'id >= 0', outputFields: ['id', 'n', 'tag'], limit: 100 });
    expect(rows.map((r) => r.id).sort((a, b) => a - b)).toEqual([1, 2, 3, 10, 20]);
    expect(rows.find((r) => r.id === 10)).toEqual({ id: 10, n: 10, tag: 't0' });
    const hits = await call<{ id: number; distance: number }[]>(node.url, '/entities/search',
      { collectionName: C, data: [[20, 1, 2, 3]], limit: 2, annsField: 'vector' });
    expect(hits.map((h) => h.id)).toEqual([20, 10]);
    expect(hits[0].distance).toBe(0);
  });
});
