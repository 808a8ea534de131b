import { describe, expect, it } from 'vitest';
import { buildSchema, compileFilter } from '@shoal/shard';
import type { CollectionMeta } from '../src/catalog.ts';
import { partitionKeyPartitionNames, pinnedPartitions } from '../src/partition-key.ts';
import { shardOf } from '../src/sharding.ts';
import { randomVectors, testNode } from './helpers.ts';

const fields = [
  { name: 'id', dataType: 'Int64' as const, isPrimaryKey: true },
  { name: 'v', dataType: 'FloatVector' as const, dim: 4 },
  { name: 'city', dataType: 'VarChar' as const, maxLength: 8, isPartitionKey: true },
  { name: 'n', dataType: 'Int32' as const },
];
const N = 600;
const vecs = randomVectors(N, 4, 11);
const CITIES = Array.from({ length: 20 }, (_, i) => `c${i}`);
const rows = Array.from({ length: N }, (_, i) => ({ id: i, v: vecs[i], city: CITIES[(i * 7) % 20], n: i % 50 }));
type R = (typeof rows)[number];

/** The catalog entry of a partition-key collection with `n` partitions (ids 10, 11, …). */
function metaOf(n: number, key: 'VarChar' | 'Int64' = 'VarChar'): CollectionMeta {
  const schema = buildSchema('m', '', fields.map((f) => (f.name === 'city' ? { ...f, dataType: key } : f)), false);
  return { id: 1, name: 'm', schema, partitions: partitionKeyPartitionNames(n).map((name, i) => ({ name, id: 10 + i })) } as unknown as CollectionMeta;
}

describe('partition key', () => {
  it('routes rows by key value; a filter pinning the key reads only its partitions, with the same answer', async () => {
    const { node } = await testNode(undefined, { segmentMaxRows: 150 });
    const s = node.service;
    await s.createCollection({ collectionName: 'pk', fields, shardsNum: 2, numPartitions: 8, indexParams: [{ fieldName: 'v', metricType: 'L2', indexType: 'FLAT' }], consistencyLevel: 'Strong' });
    expect(await s.listPartitions('pk')).toEqual(partitionKeyPartitionNames(8));
    await s.insert('pk', rows.slice(0, 400));
    await s.flush('pk');
    await s.insert('pk', rows.slice(400));
    const ids = async (filter: string) => (await s.query({ collectionName: 'pk', filter, limit: N, outputFields: ['id'] })).map((r) => Number(r.id)).sort((a, b) => a - b);
    const truth = (pred: (r: R) => boolean) => rows.filter(pred).map((r) => r.id);
    const cases: [string, (r: R) => boolean][] = [
      ['city == "c3"', (r) => r.city === 'c3'],
      ['city in ["c1", "c7", "c19"] and n < 25', (r) => ['c1', 'c7', 'c19'].includes(r.city) && r.n < 25],
      ['(city == "c2" or city == "c5") and id >= 100', (r) => (r.city === 'c2' || r.city === 'c5') && r.id >= 100],
      ['n == 3 and city in ["c4", "c9"]', (r) => r.n === 3 && ['c4', 'c9'].includes(r.city)],
      ['not (city != "c3")', (r) => r.city === 'c3'], // not pinned: every partition, same rows
      ['city == "nowhere"', () => false],
    ];
    for (const [filter, pred] of cases) expect(await ids(filter), filter).toEqual(truth(pred));
    // The same through templates, counting and search.
    expect((await s.query({ collectionName: 'pk', filter: 'city in {cs}', filterParams: { cs: ['c0', 'c11'] }, limit: N, outputFields: ['id'] })).length)
      .toBe(truth((r) => r.city === 'c0' || r.city === 'c11').length);
    expect(await s.query({ collectionName: 'pk', filter: 'city == "c6"', outputFields: ['count(*)'] })).toEqual([{ 'count(*)': truth((r) => r.city === 'c6').length }]);
    const hits = (await s.search({ collectionName: 'pk', data: [vecs[0]], limit: 1000, filter: 'city == "c8"' }))[0];
    expect(hits.map((h) => Number(h.id)).sort((a, b) => a - b)).toEqual(truth((r) => r.city === 'c8'));
    // An upsert moves a row to its new key's partition.
    const oldCity = rows[3].city;
    rows[3] = { ...rows[3], city: 'c0' };
    await s.upsert('pk', [rows[3]]);
    expect(await ids('city == "c0" and id == 3')).toEqual([3]);
    expect(await ids(`city == "${oldCity}" and id == 3`)).toEqual([]);
    // Delete by a pinned filter deletes exactly those rows.
    expect((await s.delete('pk', { filter: 'city == "c1"' })).count).toBe(truth((r) => r.city === 'c1').length);
    expect(await ids('id >= 0')).toEqual(truth((r) => r.city !== 'c1'));
    await node.close();
  });

  it('pins the partitions its key values hash to, and nothing for filters that do not pin the key', () => {
    const meta = metaOf(8);
    const part = (v: string) => 10 + shardOf(v, 8);
    const pin = (filter: string) => pinnedPartitions(meta, compileFilter(filter, meta.schema), undefined);
    expect(pin('city == "c3"')).toEqual([part('c3')]);
    expect(pin('city in ["c1", "c7"] and n > 2')).toEqual([...new Set([part('c1'), part('c7')])].sort((a, b) => a - b));
    expect(pin('city in ["c1", "c7"] and city == "c7"')).toEqual([part('c7')]);
    expect(pin('city == "c1" or city == "c2"')).toEqual([...new Set([part('c1'), part('c2')])].sort((a, b) => a - b));
    expect(pin('city == "c1" and city == "c2"')).toEqual([]);
    for (const f of ['', 'n > 3', 'city != "c1"', 'city == "c1" or n > 3', 'not (city == "c1")', 'city > "c1"', 'city like "c%"']) expect(pin(f), f).toBeUndefined();
    const wide = CITIES.map(part);
    expect(new Set(wide).size).toBeGreaterThan(4); // the hash spreads the values
    const meta64 = metaOf(5, 'Int64');
    const big = 2n ** 62n + 1n;
    expect(pinnedPartitions(meta64, compileFilter(`city in [${big}, 7]`, meta64.schema), undefined)).toEqual([...new Set([10 + shardOf(big, 5), 10 + shardOf(7n, 5)])].sort((a, b) => a - b));
    expect(() => pinnedPartitions(meta, compileFilter('', meta.schema), ['_default_0'])).toThrow(/partition key "city"/);
  });

  it('checks schemas, partition counts and partition names', async () => {
    const { node } = await testNode();
    const s = node.service;
    const index = [{ fieldName: 'v', metricType: 'L2' as const, indexType: 'FLAT' as const }];
    await expect(s.createCollection({ collectionName: 'a', fields: [...fields, { name: 'k2', dataType: 'Int64', isPartitionKey: true }], indexParams: index })).rejects.toThrow(/one partition-key field/);
    await expect(s.createCollection({ collectionName: 'a', fields: fields.map((f) => (f.name === 'city' ? { name: 'city', dataType: 'Float' as const, isPartitionKey: true } : f)), indexParams: index })).rejects.toThrow(/Int64 or VarChar/);
    await expect(s.createCollection({ collectionName: 'a', fields: fields.filter((f) => f.name !== 'city'), numPartitions: 4, indexParams: index })).rejects.toMatchObject({ code: 1100 });
    await expect(s.createCollection({ collectionName: 'a', fields, numPartitions: 0, indexParams: index })).rejects.toMatchObject({ code: 1100 });
    await s.createCollection({ collectionName: 'a', fields, indexParams: index });
    expect((await s.listPartitions('a')).length).toBe(16);
    await expect(s.insert('a', rows.slice(0, 2), '_default_0')).rejects.toMatchObject({ code: 1100, message: expect.stringMatching(/partition key "city"/) });
    await expect(s.query({ collectionName: 'a', filter: 'id > 0', partitionNames: ['_default_0'] })).rejects.toMatchObject({ code: 1100 });
    await expect(s.delete('a', { filter: 'id > 0' }, '_default_0')).rejects.toMatchObject({ code: 1100 });
    await expect(s.createPartition('a', 'p')).rejects.toMatchObject({ code: 1100 });
    await expect(s.dropPartition('a', '_default_0')).rejects.toMatchObject({ code: 1100 });
    await node.close();
  });
});
