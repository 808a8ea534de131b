/**
 * The example filters of Milvus's documentation, evaluated on small fixed datasets with the
 * matching ids worked out by hand from the data below (no expectation is computed).
 *
 * Sources, quoted beside each group: the Milvus docs pages "Basic Operators"
 * (userGuide/search-query-get/boolean/basic-operators.md), "JSON Operators", "ARRAY Operators",
 * "Filtering Explained" (boolean.md), "Filter Templating", "Nullable & Default", "Dynamic Field"
 * (enable-dynamic-field.md), "JSON Field" (use-json-fields.md), "Pattern Matching"
 * (pattern-matching.md), and the JSON example of milvus-sdk-java
 * (`io.milvus.v1.JsonFieldExample`), which is where Milvus shows `exists`.
 * Where a doc page prints its own sample data and output, the dataset here is that sample and
 * the expected ids are the page's output.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, ShoalError, type ErrorCodeValue } from '@shoal/actors';
import type { ArrayElementType, CollectionSchema, Column, DataType, FieldSchema } from '../src/schema/types.ts';
import { compileFilter, evaluateFilter, evaluateRow, type ColumnSource } from '../src/expr/index.ts';

/** One declared field of a test collection: its type, and for Array fields the element type. */
interface FieldSpec {
  type: DataType;
  element?: ArrayElementType;
  nullable?: boolean;
}

/**
 * A test collection: its fields (the primary key `id`, Int64, comes first; a 2-d vector field is
 * added) and its rows as plain objects. Int64 values are written as numbers and stored as
 * bigints; a missing or `null` value of a nullable field is a null; keys that are not declared
 * fields go to the dynamic field `$meta` when `dynamic` is set.
 */
interface Dataset {
  name: string;
  fields: Record<string, FieldSpec>;
  dynamic: boolean;
  rows: Record<string, unknown>[];
}

function schemaOf(d: Dataset): CollectionSchema {
  const fields: FieldSchema[] = [
    { fieldId: 100, name: 'id', dataType: 'Int64', isPrimaryKey: true, autoId: false },
    { fieldId: 101, name: 'vec', dataType: 'FloatVector', isPrimaryKey: false, autoId: false, dim: 2 },
  ];
  for (const [name, spec] of Object.entries(d.fields)) {
    fields.push({
      fieldId: 100 + fields.length, name, dataType: spec.type, isPrimaryKey: false, autoId: false,
      ...(spec.type === 'VarChar' ? { maxLength: 256 } : {}),
      ...(spec.type === 'Array' ? { elementType: spec.element, maxCapacity: 64, ...(spec.element === 'VarChar' ? { maxLength: 64 } : {}) } : {}),
      ...(spec.nullable === true ? { nullable: true } : {}),
    });
  }
  return { name: d.name, description: '', fields, enableDynamicField: d.dynamic };
}

const toInt64 = (v: unknown): bigint => BigInt(v as number);

/** The rows as a ColumnSource in the layout of `schema/types.ts` (typed arrays, validity bitmaps, `$meta`). */
function sourceOf(d: Dataset): ColumnSource {
  const n = d.rows.length;
  const columns: Record<string, Column> = { id: BigInt64Array.from(d.rows, (r) => toInt64(r.id)) };
  const valid: Record<string, Uint8Array> = {};
  for (const [name, spec] of Object.entries(d.fields)) {
    const has = d.rows.map((r) => r[name] !== undefined && r[name] !== null);
    if (spec.nullable === true) valid[name] = Uint8Array.from(has, (h) => (h ? 1 : 0));
    else if (has.includes(false)) throw new Error(`test data: ${d.name}.${name} is not nullable but a row lacks it`);
    const values = d.rows.map((r) => r[name]);
    switch (spec.type) {
      case 'Int64': columns[name] = BigInt64Array.from(values, (v) => (v == null ? 0n : toInt64(v))); break;
      case 'Double': columns[name] = Float64Array.from(values, (v) => (v == null ? 0 : (v as number))); break;
      case 'VarChar': columns[name] = values.map((v) => (v == null ? '' : (v as string))); break;
      case 'JSON': columns[name] = values.map((v) => v ?? null); break;
      case 'Array':
        columns[name] = values.map((v) => (v == null ? [] : spec.element === 'Int64' ? (v as unknown[]).map(toInt64) : v));
        break;
      default: throw new Error(`test data: no column layout for ${spec.type}`);
    }
  }
  if (d.dynamic) {
    const declared = new Set(['id', ...Object.keys(d.fields)]);
    columns.$meta = d.rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !declared.has(k))));
  }
  return {
    numRows: n,
    column: (name) => {
      const c = columns[name];
      if (c === undefined) throw new Error(`test data: the filter read column "${name}", which ${d.name} does not have`);
      return c;
    },
    valid: (name) => valid[name],
  };
}

/** One documented filter: the ids it matches, or the error it must raise; `params` are its template values. */
interface Example {
  filter: string;
  ids?: number[];
  error?: ErrorCodeValue;
  params?: Record<string, unknown>;
}

/** Row `i` of `source` as `evaluateRow` takes it: field name → value, `null` for a null, `$meta` an object. */
function rowOf(source: ColumnSource, schema: CollectionSchema, i: number): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  const names = schema.fields.filter((f) => f.dataType !== 'FloatVector').map((f) => f.name);
  if (schema.enableDynamicField) names.push('$meta');
  for (const name of names) row[name] = source.valid?.(name)?.[i] === 0 ? null : source.column(name)[i];
  return row;
}

/**
 * Runs each example on `data`: the ids of the rows passing the column evaluator, and those
 * passing the row interpreter, must both be the expected ones.
 */
function table(page: string, data: Dataset, examples: Example[]): void {
  const schema = schemaOf(data);
  const source = sourceOf(data);
  describe(page, () => {
    for (const ex of examples) {
      const title = `${ex.filter}${ex.params === undefined ? '' : ` with ${JSON.stringify(ex.params)}`}`;
      it(title, () => {
        if (ex.error !== undefined) {
          let caught: unknown;
          try {
            compileFilter(ex.filter, schema, ex.params);
          } catch (e) {
            caught = e;
          }
          expect(caught).toBeInstanceOf(ShoalError);
          expect((caught as ShoalError).code).toBe(ex.error);
          return;
        }
        const expr = compileFilter(ex.filter, schema, ex.params);
        const ids: number[] = [];
        evaluateFilter(expr, source).forEach((i) => ids.push(Number(data.rows[i].id)));
        expect(ids).toEqual(ex.ids);
        const byRow = data.rows.filter((_, i) => evaluateRow(expr, rowOf(source, schema, i))).map((r) => Number(r.id));
        expect(byRow).toEqual(ex.ids);
      });
    }
  });
}

/**
 * Products: one collection for the examples of Basic Operators, JSON Operators, ARRAY Operators,
 * Filtering Explained and Filter Templating, whose examples name these fields. `age` and
 * `description` are nullable (row 3 has no age; rows 2 and 5 no description, row 3 an empty one);
 * `likes` and `extra` are dynamic keys.
 */
const products: Dataset = {
  name: 'products',
  dynamic: true,
  fields: {
    status: { type: 'VarChar' },
    name: { type: 'VarChar' },
    color: { type: 'VarChar' },
    city: { type: 'VarChar' },
    age: { type: 'Int64', nullable: true },
    price: { type: 'Int64' },
    rating: { type: 'Double' },
    discount: { type: 'Int64' },
    stock: { type: 'Int64' },
    description: { type: 'VarChar', nullable: true },
    product: { type: 'JSON' },
    history_temperatures: { type: 'Array', element: 'Int64' },
    tags: { type: 'Array', element: 'VarChar' },
  },
  rows: [
    {
      id: 1, status: 'active', name: 'Product A', color: 'red', city: '北京', age: 25, price: 50, rating: 4.5, discount: 5, stock: 60,
      description: 'Phone', product: { model: 'JSN-087', price: 1500, tags: ['electronics', 'sale', 'new'] },
      history_temperatures: [31, 22, 23, 25, 24, 20, 21, 19, 18, 17, 24], tags: ['pop', 'rock'], likes: 120,
    },
    {
      id: 2, status: 'inactive', name: 'ProductXYZ', color: 'green', city: '上海', age: 40, price: 120, rating: 3.9, discount: 10, stock: 40,
      description: null, product: { model: 'JSN-087', price: 1900, tags: ['electronics', 'sale', 'new', 'discount'] },
      history_temperatures: [28, 23], tags: ['rock'], likes: 30,
    },
    {
      id: 3, status: 'active', name: 'SampleXYZ', color: 'blue', city: '上海', age: null, price: 30, rating: 4.0, discount: 15, stock: 80,
      description: '', product: { model: 'ABC-001', price: 800, tags: ['clearance'] },
      history_temperatures: [35, 24, 23], tags: [],
    },
    {
      id: 4, status: 'pending', name: 'SuperPro', color: 'red', city: '深圳', age: 31, price: 200, rating: 2.5, discount: 0, stock: 55,
      description: 'Tablet', product: { model: 'JSN-087', price: 1000, tags: ['sale'] },
      history_temperatures: [20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 22], tags: ['jazz'], likes: 51,
    },
    {
      id: 5, status: 'inactive', name: 'Widget', color: 'yellow', city: '北京', age: 26, price: 99, rating: 5.0, discount: 11, stock: 10,
      description: null, product: { model: 'XYZ-9', price: 2500 },
      history_temperatures: [], tags: ['pop'], likes: 7,
    },
    {
      id: 6, status: 'active', name: 'ProLine', color: 'blue', city: '北京', age: 30, price: 32, rating: 4.2, discount: 10, stock: 51,
      description: 'Laptop', product: { model: 'JSN-087', price: 1849, tags: ['new', 'electronics'] },
      history_temperatures: [30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41], tags: ['pop', 'jazz'], likes: 58,
    },
    {
      id: 7, status: 'active', name: 'Gadget Pro', color: 'green', city: '广州', age: 55, price: 1000, rating: 3.0, discount: 20, stock: 100,
      description: 'Watch', product: { model: 'JSN-087', price: 1850, tags: ['electronics', 'clearance'] },
      history_temperatures: [24], tags: ['rock', 'pop'], likes: 99, extra: true,
    },
    {
      id: 8, status: 'inactive', name: 'prod lower', color: 'white', city: '上海', age: 18, price: 10, rating: 4.0, discount: 9, stock: 50,
      description: 'Cable', product: { model: 'jsn-087', price: 100, tags: ['sale', 'new', 'electronics'] },
      history_temperatures: [23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34], tags: ['pop'], likes: 50,
    },
  ],
};

table('Basic Operators — comparison operators', products, [
  { filter: 'status == "active"', ids: [1, 3, 6, 7] },
  { filter: 'status != "inactive"', ids: [1, 3, 4, 6, 7] },
  // Row 3's age is null: a comparison with a null is false.
  { filter: 'age > 30', ids: [2, 4, 7] },
  { filter: 'price < 100', ids: [1, 3, 5, 6, 8] },
  { filter: 'rating >= 4', ids: [1, 3, 5, 6, 8] },
  { filter: 'discount <= 10', ids: [1, 2, 4, 6, 8] },
]);

table('Basic Operators — range operators (IN, LIKE)', products, [
  { filter: 'color in ["red", "green", "blue"]', ids: [1, 2, 3, 4, 6, 7] },
  // Case-sensitive: "prod lower" and "ProLine" do not start with "Prod".
  { filter: 'name LIKE "Prod%"', ids: [1, 2] },
  { filter: 'name LIKE "%XYZ"', ids: [2, 3] },
  { filter: 'name LIKE "%Pro%"', ids: [1, 2, 4, 6, 7] },
]);

table('Basic Operators — arithmetic operators', products, [
  { filter: 'id % 2 == 0', ids: [2, 4, 6, 8] },
  // price² > 1000 ⇔ price ≥ 32: 30² = 900 and 10² = 100 fail, 32² = 1024 passes.
  { filter: 'price ** 2 > 1000', ids: [1, 2, 4, 5, 6, 7] },
]);

table('Basic Operators — logical operators', products, [
  { filter: 'price > 100 AND stock > 50', ids: [4, 7] },
  { filter: 'color == "red" OR color == "blue"', ids: [1, 3, 4, 6] },
  // Plan.g4 binds NOT tighter than ==, so this is (NOT color) == "green": NOT of a VarChar, an
  // invalid filter (the page's intent is written with parentheses, next line).
  { filter: 'NOT color == "green"', error: ErrorCode.ParameterInvalid },
  { filter: 'NOT (color == "green")', ids: [1, 3, 4, 5, 6, 8] },
]);

table('Basic Operators — IS NULL and IS NOT NULL on a scalar field', products, [
  // Row 3's description is "", which is not null.
  { filter: 'description IS NULL', ids: [2, 5] },
  { filter: 'description IS NOT NULL', ids: [1, 3, 4, 6, 7, 8] },
  { filter: 'description IS NOT NULL AND price > 10', ids: [1, 3, 4, 6, 7] },
]);

table('Basic Operators — tips on JSON and ARRAY fields', products, [
  { filter: 'product["price"] > 1000', ids: [1, 2, 5, 6, 7] },
  // Row 5's array is empty: an index past the end matches nothing.
  { filter: 'history_temperatures[0] > 30', ids: [1, 3] },
]);

table('Filtering Explained', products, [
  { filter: 'color in ["red", "green", "blue"]', ids: [1, 2, 3, 4, 6, 7] },
  // Row 8's model is "jsn-087" (lower case); row 7's price 1850 is not < 1850.
  { filter: 'product["model"] == "JSN-087" AND product["price"] < 1850', ids: [1, 4, 6] },
  // Only rows 1, 4, 6 and 8 have an 11th element: 24, 22, 40, 33.
  { filter: 'history_temperatures[10] > 23', ids: [1, 6, 8] },
]);

table('JSON Operators', products, [
  { filter: 'json_contains(product["tags"], "sale")', ids: [1, 2, 4, 8] },
  { filter: 'json_contains_all(product["tags"], ["electronics", "sale", "new"])', ids: [1, 2, 8] },
  { filter: 'json_contains_any(product["tags"], ["electronics", "new", "clearance"])', ids: [1, 2, 3, 6, 7, 8] },
]);

table('ARRAY Operators', products, [
  { filter: 'ARRAY_CONTAINS(history_temperatures, 23)', ids: [1, 2, 3, 4, 8] },
  { filter: 'ARRAY_CONTAINS_ALL(history_temperatures, [23, 24])', ids: [1, 3, 4, 8] },
  { filter: 'ARRAY_CONTAINS_ANY(history_temperatures, [23, 24])', ids: [1, 2, 3, 4, 7, 8] },
  // Lengths: 11, 2, 3, 11, 0, 12, 1, 12.
  { filter: 'ARRAY_LENGTH(history_temperatures) < 10', ids: [2, 3, 5, 7] },
]);

table('Filter Templating', products, [
  // age > 25 (row 3 null) and city 北京 or 上海: rows 2 (40, 上海), 5 (26, 北京), 6 (30, 北京).
  { filter: 'age > {age} AND city IN {city}', params: { age: 25, city: ['北京', '上海'] }, ids: [2, 5, 6] },
]);

table('Plan.g4 forms the pages above describe without an example', products, [
  { filter: '30 <= age < 40', ids: [4, 6] },
  { filter: '40 > age >= 30', ids: [4, 6] },
  { filter: '1000 < product["price"] <= 1850', ids: [1, 6, 7] },
  { filter: 'stock - 50 > 0', ids: [1, 3, 4, 6, 7] },
  { filter: 'price * 2 <= 100', ids: [1, 3, 6, 8] },
  { filter: 'age is null', ids: [3] },
  { filter: 'tags[0] == "pop"', ids: [1, 5, 6, 8] },
  { filter: 'array_contains(tags, "rock")', ids: [1, 2, 7] },
  { filter: 'array_length(tags) == 0', ids: [3] },
  // Dynamic keys: row 3 has no likes, row 8 has exactly 50.
  { filter: 'likes > 50', ids: [1, 4, 6, 7] },
  { filter: '$meta["likes"] > 50', ids: [1, 4, 6, 7] },
  { filter: 'exists $meta["extra"]', ids: [7] },
  { filter: 'name like {pattern}', params: { pattern: '%XYZ' }, ids: [2, 3] },
  { filter: 'price in {prices}', params: { prices: [30, 99] }, ids: [3, 5] },
  { filter: '{lo} < price < {hi}', params: { lo: 30, hi: 100 }, ids: [1, 5, 6] },
]);

/**
 * "Pattern Matching" (pattern-matching.md): its LIKE examples, on rows chosen here to sit on
 * either side of each pattern (case, a too-short code, a suffix followed by more text).
 */
const patterns: Dataset = {
  name: 'patterns',
  dynamic: false,
  fields: { name: { type: 'VarChar' }, filename: { type: 'VarChar' }, description: { type: 'VarChar' }, code: { type: 'VarChar' } },
  rows: [
    { id: 1, name: 'Product', filename: 'report.json', description: 'a vector database', code: 'AB1x' },
    { id: 2, name: '%', filename: 'report.json.bak', description: 'Vector search', code: 'AB' },
    { id: 3, name: '_under', filename: '.json', description: 'vectors', code: 'ABC' },
    { id: 4, name: '\\back', filename: 'data.JSON', description: 'no match', code: 'XAB1' },
    { id: 5, name: 'x%', filename: 'a.json', description: '', code: 'AB_' },
  ],
};

table('Pattern Matching — LIKE', patterns, [
  { filter: 'name LIKE "Prod%"', ids: [1] },
  { filter: 'filename LIKE "%.json"', ids: [1, 3, 5] },
  { filter: 'description LIKE "%vector%"', ids: [1, 3] },
  { filter: 'description LIKE "%vector database%"', ids: [1] },
  // `_` is exactly one character: "AB" is too short.
  { filter: 'code LIKE "AB_%"', ids: [1, 3, 5] },
  // Escaped wildcards, in raw strings as the page writes them.
  { filter: String.raw`name LIKE r"\%"`, ids: [2] },
  { filter: String.raw`name LIKE r"\_%"`, ids: [3] },
  { filter: String.raw`name LIKE r"\\%"`, ids: [4] },
  // Regular-expression matching is documented for Milvus 3.0 only; Shoal does not evaluate it.
  { filter: 'code =~ "^E[0-9]{4}$"', error: ErrorCode.OperationNotSupported },
  { filter: 'message !~ "^DEBUG"', error: ErrorCode.OperationNotSupported },
]);

/** "Basic Operators", JSON Fields with Null Values: the page's sample data (row 3 has no metadata). */
const jsonNulls: Dataset = {
  name: 'json_nulls',
  dynamic: false,
  fields: { metadata: { type: 'JSON', nullable: true } },
  rows: [
    { id: 1, metadata: { category: 'electronics', price: 99.99, brand: 'BrandA' } },
    { id: 2, metadata: null },
    { id: 3 },
    { id: 4, metadata: { category: null, price: 99.99, brand: 'BrandA' } },
  ],
};

table('Basic Operators — JSON fields with null values (the page\'s data and output)', jsonNulls, [
  { filter: 'metadata IS NULL', ids: [2, 3] },
  { filter: 'metadata IS NOT NULL', ids: [1, 4] },
]);

/** "JSON Field" (use-json-fields.md): the page's sample data (its primary key `pk` is `id` here). */
const jsonField: Dataset = {
  name: 'my_json_collection',
  dynamic: true,
  fields: { metadata: { type: 'JSON', nullable: true } },
  rows: [
    { id: 1, metadata: { product_info: { category: 'electronics', brand: 'BrandA' }, price: 99.99, in_stock: true, tags: ['summer_sale'] } },
    { id: 2, metadata: null },
    { id: 3 },
    { id: 4, metadata: { product_info: { category: null, brand: 'BrandB' }, price: 59.99, in_stock: null } },
  ],
};

table('JSON Field — query with filter expressions (the page\'s data and output)', jsonField, [
  { filter: 'metadata is not null', ids: [1, 4] },
  { filter: 'metadata["product_info"]["category"] == "electronics"', ids: [1] },
  { filter: 'metadata["product_info"]["brand"] == "BrandA"', ids: [1] },
]);

/** "Basic Operators", ARRAY Fields with Null Values: the page's sample data (row 3 has no tags). */
const arrayNulls: Dataset = {
  name: 'array_nulls',
  dynamic: false,
  fields: { tags: { type: 'Array', element: 'VarChar', nullable: true }, ratings: { type: 'Array', element: 'Int64' } },
  rows: [
    { id: 1, tags: ['pop', 'rock', 'classic'], ratings: [5, 4, 3] },
    { id: 2, tags: null, ratings: [4, 5] },
    { id: 3, ratings: [9, 5] },
  ],
};

table('Basic Operators — ARRAY fields with null values (the page\'s data and output)', arrayNulls, [
  { filter: 'tags IS NULL', ids: [2, 3] },
  { filter: 'tags IS NOT NULL', ids: [1] },
]);

/** "Nullable & Default": the page's rows (row 2 sets age to null, row 3 omits it). */
const nullableAge: Dataset = {
  name: 'my_collection',
  dynamic: true,
  fields: { age: { type: 'Int64', nullable: true } },
  rows: [{ id: 1, age: 30 }, { id: 2, age: null }, { id: 3 }],
};

table('Nullable & Default — filtering a nullable field (the page\'s data and output)', nullableAge, [
  { filter: 'age >= 0', ids: [1] },
]);

/**
 * "Dynamic Field": the page's ten rows, whose `color` is not a declared field. The page gives
 * `likes` 122 for id 4 and 58 for id 6; the others' likes are chosen here (id 1's ≤ 50, as the
 * page says only two rows pass `color like "red%" and likes > 50`).
 */
const dynamicColors: Dataset = {
  name: 'my_dynamic_collection',
  dynamic: true,
  fields: {},
  rows: [
    { id: 0, color: 'pink_8682', likes: 10 }, { id: 1, color: 'red_7025', likes: 20 }, { id: 2, color: 'orange_6781' },
    { id: 3, color: 'pink_9298', likes: 300 }, { id: 4, color: 'red_4794', likes: 122 }, { id: 5, color: 'yellow_4222' },
    { id: 6, color: 'red_9392', likes: 58 }, { id: 7, color: 'grey_8510', likes: 51 }, { id: 8, color: 'white_9381' },
    { id: 9, color: 'purple_4976', likes: 0 },
  ],
};

table('Dynamic Field (the page\'s data and output)', dynamicColors, [
  { filter: 'color like "red%"', ids: [1, 4, 6] },
  { filter: 'color like "red%" and likes > 50', ids: [4, 6] },
]);

/**
 * milvus-sdk-java's JsonFieldExample: row i has metadata {path, size: i, special: true when
 * i % 7 == 0, flags: [i, i+1, i+2]} (rows 0..20 of its 100 here).
 */
const sdkJson: Dataset = {
  name: 'java_sdk_json',
  dynamic: false,
  fields: { metadata: { type: 'JSON' } },
  rows: Array.from({ length: 21 }, (_, i) => ({
    id: i,
    metadata: { path: `\\root/abc/path${i}`, size: i, ...(i % 7 === 0 ? { special: true } : {}), flags: [i, i + 1, i + 2] },
  })),
};

table('milvus-sdk-java JsonFieldExample (exists and JSON operators)', sdkJson, [
  { filter: 'exists metadata["special"]', ids: [0, 7, 14] },
  { filter: 'metadata["size"] < 5', ids: [0, 1, 2, 3, 4] },
  { filter: 'metadata["size"] in [4, 5, 6]', ids: [4, 5, 6] },
  // flags of row i are i..i+2: 9 is in rows 7, 8, 9.
  { filter: 'JSON_CONTAINS(metadata["flags"], 9)', ids: [7, 8, 9] },
  { filter: 'JSON_CONTAINS_ANY(metadata["flags"], [8, 9, 10])', ids: [6, 7, 8, 9, 10] },
  { filter: 'JSON_CONTAINS_ALL(metadata["flags"], [8, 9, 10])', ids: [8] },
]);
