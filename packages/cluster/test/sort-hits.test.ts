import { describe, expect, it } from 'vitest';
import { sortHits } from '../src/results.ts';
import type { SearchHit } from '../src/service.ts';

describe('sortHits', () => {
  it('orders ties of VarChar keys by code point (as shards, filters and iterators), not by UTF-16 unit', () => {
    // U+1F600 is the surrogate pair D83D DE00, which sorts before U+E000 by UTF-16 unit but after it by code point.
    const hits = [{ id: '\u{1F600}', distance: 1 }, { id: '\uE000', distance: 1 }, { id: 'a', distance: 0.5 }] as SearchHit[];
    expect(sortHits('L2', hits).map((h) => h.id)).toEqual(['a', '\uE000', '\u{1F600}']);
    expect(sortHits('IP', hits).map((h) => h.id)).toEqual(['\uE000', '\u{1F600}', 'a']);
  });

  it('orders ties of Int64 keys numerically', () => {
    const hits = [{ id: 10n, distance: 2 }, { id: -3n, distance: 2 }, { id: 2n ** 63n - 1n, distance: 1 }] as SearchHit[];
    expect(sortHits('L2', hits).map((h) => h.id)).toEqual([2n ** 63n - 1n, -3n, 10n]);
  });
});
