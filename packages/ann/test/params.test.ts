import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@shoal/actors';
import { buildIndex, validateIndexSpec, validateSearchParams } from '../src/index.ts';
import type { IndexSpec } from '../src/index.ts';
import { rejects } from './helpers.ts';

const hnsw = (params: Record<string, unknown>): IndexSpec => ({ type: 'HNSW', metric: 'L2', dim: 8, params: params as IndexSpec['params'] });
const P = ErrorCode.ParameterInvalid;

describe('validateIndexSpec', () => {
  it('fills in defaults and keeps given values', () => {
    expect(validateIndexSpec(hnsw({}))).toEqual({ type: 'HNSW', metric: 'L2', dim: 8, params: { M: 16, efConstruction: 200 } });
    expect(validateIndexSpec(hnsw({ M: 2, efConstruction: 2147483647 })).params).toEqual({ M: 2, efConstruction: 2147483647 });
    expect(validateIndexSpec(hnsw({ M: 2048, efConstruction: 1 })).params).toEqual({ M: 2048, efConstruction: 1 });
    expect(validateIndexSpec({ type: 'FLAT', metric: 'COSINE', dim: 32768, params: {} })).toEqual({ type: 'FLAT', metric: 'COSINE', dim: 32768, params: {} });
  });

  it('rejects out-of-range and unknown build parameters, naming parameter, value and range', () => {
    rejects(() => validateIndexSpec(hnsw({ M: 1 })), P, /^HNSW build parameter M=1 is out of range; allowed range \[2, 2048\]$/);
    rejects(() => validateIndexSpec(hnsw({ M: 2049 })), P, /M=2049 is out of range; allowed range \[2, 2048\]/);
    rejects(() => validateIndexSpec(hnsw({ M: 16.5 })), P, /M=16.5 is not an integer/);
    rejects(() => validateIndexSpec(hnsw({ M: '16' })), P, /M="16" is not an integer/);
    rejects(() => validateIndexSpec(hnsw({ efConstruction: 0 })), P, /efConstruction=0 is out of range; allowed range \[1, 2147483647\]/);
    rejects(() => validateIndexSpec(hnsw({ efConstruction: 2147483648 })), P, /efConstruction=2147483648 is out of range/);
    rejects(() => validateIndexSpec(hnsw({ ef_construction: 10 })), P, /HNSW build parameter ef_construction=10 is not supported; allowed parameters: M, efConstruction/);
    rejects(() => validateIndexSpec({ type: 'FLAT', metric: 'L2', dim: 8, params: { nlist: 128 } as IndexSpec['params'] }), P, /FLAT build parameter nlist=128 is not supported; allowed parameters: none/);
  });

  it('rejects bad metrics, dimensions and index types', () => {
    rejects(() => validateIndexSpec({ ...hnsw({}), metric: 'HAMMING' as IndexSpec['metric'] }), P, /metric_type="HAMMING" is not supported for float vectors; allowed: L2, IP, COSINE/);
    rejects(() => validateIndexSpec({ ...hnsw({}), dim: 0 }), P, /dim=0 is out of range; allowed range \[1, 32768\]/);
    rejects(() => validateIndexSpec({ ...hnsw({}), dim: 32769 }), P, /dim=32769 is out of range/);
    rejects(() => validateIndexSpec({ ...hnsw({}), type: 'DISKANN' as IndexSpec['type'] }), ErrorCode.IndexNotSupported, /index_type=DISKANN is not supported yet by Shoal; supported index types: FLAT, HNSW, IVF_FLAT, IVF_SQ8, IVF_PQ/);
    rejects(() => validateIndexSpec({ ...hnsw({}), type: 'HNSWX' as IndexSpec['type'] }), P, /index_type="HNSWX" is not a valid index type/);
    rejects(() => validateIndexSpec({ ...hnsw({}), params: [] as unknown as IndexSpec['params'] }), P, /HNSW build parameters must be an object/);
  });
});

describe('validateSearchParams', () => {
  it('accepts ef in [k, 2³¹ − 1] and ignores parameters of other index types', () => {
    validateSearchParams(hnsw({}), 10, { ef: 10 });
    validateSearchParams(hnsw({}), 10, { ef: 2147483647 });
    validateSearchParams(hnsw({}), 10, undefined);
    validateSearchParams(hnsw({}), 10, { nprobe: 16 } as object);
    validateSearchParams({ type: 'FLAT', metric: 'L2', dim: 8, params: {} }, 5, { ef: 1 });
  });

  it('rejects ef below k or above int_max, and a bad topk', () => {
    rejects(() => validateSearchParams(hnsw({}), 10, { ef: 9 }), P, /HNSW search \(topk=10\) parameter ef=9 is out of range; allowed range \[10, 2147483647\]/);
    rejects(() => validateSearchParams(hnsw({}), 10, { ef: 2147483648 }), P, /ef=2147483648 is out of range/);
    rejects(() => validateSearchParams(hnsw({}), 10, { ef: 'x' } as unknown as object), P, /ef="x" is not an integer/);
    rejects(() => validateSearchParams(hnsw({}), 0, {}), P, /topk=0 is out of range; allowed range \[1, 2147483647\]/);
  });

  it('is enforced by HNSW search and by search shapes', () => {
    const index = buildIndex(hnsw({}), new Float32Array(80), 10, { seed: 1 });
    rejects(() => index.search(new Float32Array(8), 1, 5, { ef: 4 }), P, /ef=4 is out of range; allowed range \[5, 2147483647\]/);
    rejects(() => index.search(new Float32Array(7), 1, 5), P, /search vectors hold 7 floats, expected nq × dim = 1 × 8 = 8/);
    rejects(() => index.search(new Float32Array(8), 1, 0), P, /topk=0/);
  });
});

describe('buildIndex', () => {
  it('rejects a bad count, seed or too few floats', () => {
    rejects(() => buildIndex(hnsw({}), new Float32Array(8), 2, { seed: 1 }), P, /build vectors hold 8 floats, fewer than count × dim = 2 × 8/);
    rejects(() => buildIndex(hnsw({}), new Float32Array(8), -1, { seed: 1 }), P, /count=-1 is out of range/);
    rejects(() => buildIndex(hnsw({}), new Float32Array(8), 1, { seed: -1 }), P, /seed=-1 is out of range; allowed range \[0, 4294967295\]/);
    rejects(() => buildIndex(hnsw({ M: 0 }), new Float32Array(8), 1, { seed: 1 }), P, /M=0/);
  });
});
