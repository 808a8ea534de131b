import { describe, expect, it } from 'vitest';
import { errorOf, schema, select } from './expr-fixture.ts';

describe('JSON paths', () => {
  it('compares values at a path with Milvus typing: another type or a missing key does not match', () => {
    expect(select('meta["a"] == 1')).toEqual([0]);
    expect(select('meta["a"] == "1"')).toEqual([3]);
    expect(select('meta["a"] == true')).toEqual([4]);
    expect(select('meta["a"] > 1')).toEqual([1]);
    expect(select('meta["a"] >= 1.0')).toEqual([0, 1]);
    expect(select('meta["b"]["c"] == "x"')).toEqual([0]);
    expect(select('meta["arr"][0] == 4')).toEqual([1]);
    expect(select('meta["arr"][5] == 1')).toEqual([]);
    expect(select('meta["arr"][0][1] == 2')).toEqual([3]);
  });

  it('lets != and not in match missing keys and other types (a null row stays unknown)', () => {
    expect(select('meta["a"] != 1')).toEqual([1, 3, 4, 5]);
    expect(select('meta["a"] not in [1, 2.5]')).toEqual([3, 4, 5]);
    expect(select('not (meta["a"] > 1)')).toEqual([0, 3, 4, 5]);
  });

  it('keeps Int64 exactness between JSON bigints and literals', () => {
    expect(select('meta["big"] == 9007199254740993')).toEqual([0]);
    expect(select('meta["big"] == 9007199254740992')).toEqual([3]);
    expect(select('meta["big"] > 9007199254740992')).toEqual([0]);
    expect(select('meta["big"] in [9007199254740993]')).toEqual([0]);
    expect(select('meta["big"] in [9007199254740992.0]')).toEqual([3]);
  });

  it('evaluates in-lists of mixed types, ranges and like on JSON values', () => {
    expect(select('meta["a"] in [1, "1", true]')).toEqual([0, 3, 4]);
    expect(select('0 <= meta["a"] < 2')).toEqual([0]);
    expect(select('"0" < meta["a"] <= "1"')).toEqual([3]);
    expect(select('meta["s"] like "he%"')).toEqual([1]);
    expect(select('meta["s"] like "h_llo"')).toEqual([1]);
  });

  it('tests presence with exists (a JSON null counts as present)', () => {
    expect(select('exists meta["a"]')).toEqual([0, 1, 3, 4]);
    expect(select('exists meta["b"]["c"]')).toEqual([0]);
    expect(select('exists meta["toString"]')).toEqual([]);
    expect(select('exists color')).toEqual([0, 1, 3, 5]);
    expect(select('not exists $meta["n"]')).toEqual([1, 2, 5]);
  });

  it('evaluates json_contains, json_contains_all and json_contains_any', () => {
    expect(select('json_contains(meta["arr"], 3)')).toEqual([0, 3]);
    expect(select('json_contains(meta["arr"], [1, 2])')).toEqual([3]);
    expect(select('JSON_CONTAINS_ALL(meta["arr"], [1, 3])')).toEqual([0]);
    expect(select('json_contains_any(meta["arr"], [4, 3])')).toEqual([0, 1, 3]);
    expect(select('json_contains_any(meta["arr"], [])')).toEqual([]);
    expect(select('json_contains_all(meta["arr"], [])')).toEqual([0, 1, 3]);
    expect(select('array_contains(meta["arr"], 4)')).toEqual([1]);
    expect(select('json_contains(nested["k"], 1)')).toEqual([5]);
  });

  it('rejects ordering a boolean and comparing with a list', () => {
    expect(errorOf('meta["a"] > true')).toContain("cannot order the boolean true; booleans support == and !=");
    expect(errorOf('meta["a"] == [1]')).toContain("'==' at column 11 compares the JSON value meta[\"a\"] with a list");
    expect(errorOf('exists age')).toContain("'exists' at column 1 needs a JSON path or dynamic key");
    expect(errorOf('age["a"] == 1')).toContain('field "age" is Int32, which has no keys or elements');
  });
});

describe('the dynamic field', () => {
  it('reads undeclared names and $meta["k"] from the $meta column', () => {
    expect(select('color == "red"')).toEqual([0, 5]);
    expect(select('$meta["color"] == "red"')).toEqual([0, 5]);
    expect(select('n == 5')).toEqual([0]);
    expect(select('n > 5')).toEqual([3, 4]);
    expect(select('n == 9223372036854775807')).toEqual([4]);
    expect(select('nested["k"][1]["z"] == 1')).toEqual([5]);
    expect(select('color like "r%"')).toEqual([0, 5]);
    expect(select('color in ["blue", "green"]')).toEqual([1]);
  });

  it('treats a missing or null key as null', () => {
    expect(select('color is null')).toEqual([2, 3, 4]);
    expect(select('color is not null')).toEqual([0, 1, 5]);
  });

  it('names the field and the collection for an unknown name when the dynamic field is off', () => {
    const closed = { ...schema, enableDynamicField: false };
    expect(errorOf('color == "red"', undefined, closed)).toContain('field "color" at column 1 does not exist in collection "shop"');
  });
});

describe('Array fields', () => {
  it('evaluates array_contains, array_contains_all and array_contains_any', () => {
    expect(select('array_contains(tags, 3)')).toEqual([0, 4]);
    expect(select('array_contains_all(tags, [2, 3])')).toEqual([0]);
    expect(select('array_contains_any(tags, [5, 9007199254740993])')).toEqual([2, 3]);
    expect(select('array_contains(words, "a")')).toEqual([0, 4, 5]);
    expect(select('not array_contains(tags, 3)')).toEqual([1, 2, 3]);
  });

  it('reads elements by index; an index out of range does not match', () => {
    expect(select('tags[0] == 2')).toEqual([3]);
    expect(select('tags[1] == 9007199254740993')).toEqual([3]);
    expect(select('tags[5] == 1')).toEqual([]);
    expect(select('tags[0] != 1')).toEqual([2, 3, 4]);
    expect(select('tags[0] in [1, 3]')).toEqual([0, 4]);
    expect(select('words[0] like "x%"')).toEqual([3]);
    expect(select('tags[0] + tags[1] == 3')).toEqual([0]);
  });

  it('measures arrays with array_length', () => {
    expect(select('array_length(tags) == 3')).toEqual([0]);
    expect(select('array_length(tags) < 2')).toEqual([1, 2]);
    expect(select('array_length(meta["arr"]) >= 2')).toEqual([0, 3]);
    expect(select('array_length(words) == 0')).toEqual([2]);
  });

  it('rejects values of another element type and whole-array comparisons, naming the field', () => {
    expect(errorOf('array_contains(tags, "x")')).toContain('field "tags" is an Array of Int64, which cannot hold the string "x"');
    expect(errorOf('tags[0] == "x"')).toContain('cannot compare the element tags[0] (Int64) with the string "x"');
    expect(errorOf('tags == 1')).toContain('field "tags" (Array of Int64) at column 1 cannot be compared as a whole');
    expect(errorOf('tags["a"] == 1')).toContain('the Array field "tags" takes one integer index');
    expect(errorOf('array_contains_all(tags, 1)')).toContain('needs a list [v1, v2, …] as its second argument');
  });
});
