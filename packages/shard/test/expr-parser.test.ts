import { describe, expect, it } from 'vitest';
import { ErrorCode, ShoalError } from '@shoal/actors';
import type { Expr } from '../src/expr/ast.ts';
import { MAX_FILTER_DEPTH, parseFilter } from '../src/expr/parser.ts';

/**
 * The tree as an S-expression: literals as JSON (bigints with an `n`), fields by name with their
 * path steps (`meta["a"][0]`), templates as `{name}`, everything else as `(head children…)`.
 */
function show(e: Expr): string {
  switch (e.kind) {
    case 'literal': return typeof e.value === 'bigint' ? `${e.value}n` : JSON.stringify(e.value);
    case 'field': return e.name + e.path.map((s) => `[${typeof s === 'bigint' ? String(s) : JSON.stringify(s)}]`).join('');
    case 'array': return `[${e.items.map(show).join(' ')}]`;
    case 'unary': return `(${e.op} ${show(e.operand)})`;
    case 'logical': case 'compare': case 'arith': return `(${e.op} ${show(e.left)} ${show(e.right)})`;
    case 'in': return `(${e.negated ? 'not in' : 'in'} ${show(e.operand)} ${show(e.list)})`;
    case 'range': return `(range ${show(e.lower)} ${e.lowerOp} ${show(e.operand)} ${e.upperOp} ${show(e.upper)})`;
    case 'like': return `(like ${show(e.operand)} ${show(e.pattern)})`;
    case 'exists': return `(exists ${show(e.operand)})`;
    case 'isNull': return `(${e.negated ? 'is not null' : 'is null'} ${show(e.operand)})`;
    case 'call': return `(${e.name}(${e.args.map(show).join(' ')}))`;
    case 'template': return `{${e.name}}`;
  }
}

const parse = (text: string): string => show(parseFilter(text));

/** The ShoalError `fn` throws (fails the test if it throws nothing or something else). */
function errorOf(fn: () => unknown): ShoalError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ShoalError);
    return e as ShoalError;
  }
  throw new Error('expected a ShoalError, nothing was thrown');
}

describe('parseFilter: literals', () => {
  it('reads integers in decimal, hex, octal and binary as exact bigints', () => {
    expect(parse('x == 42')).toBe('(== x 42n)');
    expect(parse('x == 0')).toBe('(== x 0n)');
    expect(parse('x == 0x1F')).toBe('(== x 31n)');
    expect(parse('x == 0XfF')).toBe('(== x 255n)');
    expect(parse('x == 017')).toBe('(== x 15n)');
    expect(parse('x == 0o17')).toBe('(== x 15n)');
    expect(parse('x == 0b101')).toBe('(== x 5n)');
    expect(parse('x == 9223372036854775807')).toBe('(== x 9223372036854775807n)');
    expect(parse('x == 123456789012345678901234567890')).toBe('(== x 123456789012345678901234567890n)');
  });

  it('reads floats with fractions and exponents as numbers', () => {
    const values = ['1.5', '.5', '1.', '1e3', '1E-3', '2.5e+2', '01.5'].map((t) => {
      const e = parseFilter(`x < ${t}`);
      return e.kind === 'compare' && e.right.kind === 'literal' ? e.right.value : undefined;
    });
    expect(values).toEqual([1.5, 0.5, 1, 1000, 0.001, 250, 1.5]);
    const one = parseFilter('x == 1.0');
    expect(one.kind === 'compare' && one.right.kind === 'literal' && typeof one.right.value).toBe('number');
  });

  it('reads the boolean spellings Milvus accepts, and keeps other casings as names', () => {
    for (const t of ['true', 'True', 'TRUE']) expect(parse(t)).toBe('true');
    for (const t of ['false', 'False', 'FALSE']) expect(parse(t)).toBe('false');
    expect(parse('tRUE == 1')).toBe('(== tRUE 1n)');
  });

  it('reads single- and double-quoted strings with escapes', () => {
    expect(parse(`s == 'it''s'`.replace("''", "\\'"))).toBe(`(== s "it's")`);
    expect(parse(`s == "a\\"b"`)).toBe('(== s "a\\"b")');
    expect(parse(`s == "tab\\tnl\\n\\\\"`)).toBe('(== s "tab\\tnl\\n\\\\")');
    expect(parse(`s == "\\x41\\101\\u00e9\\U0001F600"`)).toBe('(== s "AAé😀")');
    expect(parse(`s == ''`)).toBe('(== s "")');
    expect(parse(`s == "single ' inside"`)).toBe(`(== s "single ' inside")`);
  });

  it('reads raw strings verbatim and ignores encoding prefixes', () => {
    expect(parse(`s == r"a\\nb"`)).toBe('(== s "a\\\\nb")');
    expect(parse(`s == R'x\\'y'`)).toBe(`(== s "x\\\\'y")`);
    expect(parse(`s == u8"abc"`)).toBe('(== s "abc")');
    expect(parse(`s == L'abc'`)).toBe('(== s "abc")');
  });

  it('reads lists, the empty list and a trailing comma', () => {
    expect(parse('x in [1, 2.5, "a", true]')).toBe('(in x [1n 2.5 "a" true])');
    expect(parse('x in []')).toBe('(in x [])');
    expect(parse('x in [1, 2,]')).toBe('(in x [1n 2n])');
    expect(parse('x in [-1, +2]')).toBe('(in x [(- 1n) (+ 2n)])');
  });
});

describe('parseFilter: operators and precedence', () => {
  it('parses the six comparisons with the field on either side', () => {
    for (const op of ['==', '!=', '<', '<=', '>', '>=']) {
      expect(parse(`a ${op} 1`)).toBe(`(${op} a 1n)`);
      expect(parse(`1 ${op} a`)).toBe(`(${op} 1n a)`);
    }
  });

  it('accepts the word and symbol spellings of the logical operators', () => {
    expect(parse('a == 1 and b == 2')).toBe(parse('a == 1 && b == 2'));
    expect(parse('a == 1 AND b == 2')).toBe('(and (== a 1n) (== b 2n))');
    expect(parse('a == 1 OR b == 2')).toBe(parse('a == 1 || b == 2'));
    expect(parse('not (a == 1)')).toBe(parse('!(a == 1)'));
    expect(parse('NOT (a == 1)')).toBe('(not (== a 1n))');
    expect(parse('a IN [1]')).toBe('(in a [1n])');
    expect(parse('a NOT IN [1]')).toBe('(not in a [1n])');
  });

  it('binds and tighter than or, both left-associative', () => {
    expect(parse('a == 1 or b == 2 and c == 3')).toBe('(or (== a 1n) (and (== b 2n) (== c 3n)))');
    expect(parse('a == 1 and b == 2 or c == 3')).toBe('(or (and (== a 1n) (== b 2n)) (== c 3n))');
    expect(parse('a == 1 or b == 2 or c == 3')).toBe('(or (or (== a 1n) (== b 2n)) (== c 3n))');
  });

  it('binds comparisons tighter than and, and relational tighter than equality', () => {
    expect(parse('a > 1 and b < 2')).toBe('(and (> a 1n) (< b 2n))');
    expect(parse('a < 1 == true')).toBe('(== (< a 1n) true)');
  });

  it('binds not tighter than comparisons, as Milvus does', () => {
    expect(parse('not a > 1')).toBe('(> (not a) 1n)');
    expect(parse('not (a > 1) and b == 2')).toBe('(and (not (> a 1n)) (== b 2n))');
    expect(parse('not not (a > 1)')).toBe('(not (not (> a 1n)))');
  });

  it('binds in tighter than comparisons and and', () => {
    expect(parse('a in [1] and b not in ["x"]')).toBe('(and (in a [1n]) (not in b ["x"]))');
  });

  it('applies signs to literals', () => {
    expect(parse('a > -5')).toBe('(> a (- 5n))');
    expect(parse('-1.5 < a')).toBe('(< (- 1.5) a)');
  });

  it('lets parentheses override precedence', () => {
    expect(parse('(a == 1 or b == 2) and c == 3')).toBe('(and (or (== a 1n) (== b 2n)) (== c 3n))');
    expect(parse('((a == 1))')).toBe('(== a 1n)');
  });

  it('skips spaces, tabs and newlines between tokens', () => {
    expect(parse(' \ta\n>=\r\n1 ')).toBe('(>= a 1n)');
  });
});

describe('parseFilter: errors', () => {
  it('names the column, the token found and what was expected', () => {
    const e = errorOf(() => parseFilter('age > and x'));
    expect(e.code).toBe(ErrorCode.ParameterInvalid);
    expect(e.message).toBe(`cannot parse filter "age > and x": at column 7 found 'and', expected a value`);
  });

  it.each([
    ['', 'at column 1 found the end of the filter, expected a value'],
    ['a >', 'at column 4 found the end of the filter, expected a value'],
    ['a > 1 b', "at column 7 found 'b', expected an operator or the end of the filter"],
    ['(a > 1', "at column 7 found the end of the filter, expected an operator or ')'"],
    ['a > 1)', "at column 6 found ')', expected an operator or the end of the filter"],
    ['a in [1 2]', "at column 9 found '2', expected ',' or ']'"],
    ['a in [1,,2]', "at column 9 found ',', expected a value"],
    ['a = 1', "at column 3 found '=', expected an operator or the end of the filter (use '==' to compare)"],
    ['a == 1 ==  2', "at column 8 found '==': comparisons cannot be chained, combine them with 'and'"],
    ['a < 1 > b', "at column 7 found '>': comparisons cannot be chained, combine them with 'and'"],
    ['a not b', "at column 3 found 'not', expected an operator or the end of the filter"],
    ['a > 1 # c', 'at column 7 found "#", which is not a valid character in a filter'],
    ['a > 09', "at column 5 found '09', which is not a valid number (a leading 0 means octal, digits 0-7)"],
    ['a > 0x', "at column 5 found '0x', which is not a valid number"],
    ['a > 12ab', "at column 5 found '12ab', which is not a valid number"],
    ['a > 1e', "at column 5 found '1e', which is not a valid number"],
    ['a == "abc', 'at column 6 found a string that is not closed before the end of the line'],
    ['a == "x\ny"', 'at column 6 found a string that is not closed before the end of the line'],
    ['a == "x\\qy"', "at column 8 found the escape sequence '\\q', which is not valid"],
    ['a == "\\u12"', "at column 7 found the escape sequence '\\u12\"', which is not valid"],
  ])('%j fails: %s', (text, detail) => {
    const e = errorOf(() => parseFilter(text));
    expect(e.code).toBe(ErrorCode.ParameterInvalid);
    expect(e.message.startsWith(`cannot parse filter ${JSON.stringify(text)}: ${detail}`)).toBe(true);
  });

  it('counts columns in code points, so characters beyond U+FFFF count once', () => {
    const e = errorOf(() => parseFilter('s == "😀😀" and'));
    expect(e.message).toContain('at column 14 found the end of the filter, expected a value');
  });

  it('cuts very long filters in the message', () => {
    const text = `x in [${Array.from({ length: 1000 }, (_, i) => i).join(', ')}] and`;
    const e = errorOf(() => parseFilter(text));
    expect(e.message.length).toBeLessThan(400);
    expect(e.message).toContain('expected a value');
  });

  it('rejects nesting deeper than MAX_FILTER_DEPTH instead of overflowing the stack', () => {
    const ok = `${'('.repeat(100)}a == 1${')'.repeat(100)}`;
    expect(parse(ok)).toBe('(== a 1n)');
    const deep = `${'('.repeat(MAX_FILTER_DEPTH + 1)}a == 1${')'.repeat(MAX_FILTER_DEPTH + 1)}`;
    expect(errorOf(() => parseFilter(deep)).message).toContain(`nesting deeper than ${MAX_FILTER_DEPTH} levels`);
    expect(errorOf(() => parseFilter(`${'not '.repeat(MAX_FILTER_DEPTH + 1)}true`)).code).toBe(ErrorCode.ParameterInvalid);
  });

  it('parses a long flat chain of or without deep recursion', () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `a == ${i}`).join(' or ');
    expect(parseFilter(text).kind).toBe('logical');
  });
});


describe('parseFilter: arithmetic', () => {
  it('parses the six operators with the precedence of Plan.g4', () => {
    expect(parse('a + b * 2 == 7')).toBe('(== (+ a (* b 2n)) 7n)');
    expect(parse('a - b - c > 0')).toBe('(> (- (- a b) c) 0n)');
    expect(parse('a / 2 % 3 < 1')).toBe('(< (% (/ a 2n) 3n) 1n)');
    expect(parse('(a + b) * 2 == 7')).toBe('(== (* (+ a b) 2n) 7n)');
  });

  it('makes ** right-associative and tighter than the prefix signs', () => {
    expect(parse('2 ** 3 ** 2')).toBe('(** 2n (** 3n 2n))');
    expect(parse('-x ** 2')).toBe('(- (** x 2n))');
    expect(parse('a * b ** 2')).toBe('(* a (** b 2n))');
    expect(parse('-a * 2')).toBe('(* (- a) 2n)');
  });

  it('binds arithmetic tighter than in, comparisons and the logical operators', () => {
    expect(parse('a + 1 in [2, 3]')).toBe('(in (+ a 1n) [2n 3n])');
    expect(parse('a * 2 > 1 and b - 1 < 0')).toBe('(and (> (* a 2n) 1n) (< (- b 1n) 0n))');
  });

  it('parses the Basic Operators examples (Milvus docs), and two-field arithmetic (the binder decides on it)', () => {
    expect(parse('id % 2 == 0')).toBe('(== (% id 2n) 0n)');
    expect(parse('price ** 2 > 1000')).toBe('(> (** price 2n) 1000n)');
    expect(parse('price * quantity > 100')).toBe('(> (* price quantity) 100n)');
    expect(parse('quantity - quantity_sold > 50')).toBe('(> (- quantity quantity_sold) 50n)');
  });
});

describe('parseFilter: range comparisons (Plan.g4 Range, ReverseRange)', () => {
  it('builds one ascending range node from either direction', () => {
    expect(parse('1 < x <= 5')).toBe('(range 1n < x <= 5n)');
    expect(parse('5 >= x > 1')).toBe('(range 1n < x <= 5n)');
    expect(parse('1 <= x < 5')).toBe('(range 1n <= x < 5n)');
    expect(parse('5 > x >= 1')).toBe('(range 1n <= x < 5n)');
    const r = parseFilter('10 > age >= 1');
    expect(r.kind === 'range' && r.column).toBe(4);
  });

  it('accepts a JSON path in the middle and expressions as bounds', () => {
    expect(parse('1 < meta["a"][0] < 5')).toBe('(range 1n < meta["a"][0] < 5n)');
    expect(parse('a - 1 < x < b * 2')).toBe('(range (- a 1n) < x < (* b 2n))');
    expect(parse('lo < x < hi')).toBe('(range lo < x < hi)');
  });

  it('combines with the logical operators and binds tighter than equality', () => {
    expect(parse('1 < x < 5 and y == 2')).toBe('(and (range 1n < x < 5n) (== y 2n))');
    expect(parse('1 < x < 5 == true')).toBe('(== (range 1n < x < 5n) true)');
    expect(parse('not (1 < x < 5)')).toBe('(not (range 1n < x < 5n))');
  });

  it.each([
    ['a < b > c', 7],
    ['a > b < c', 7],
    ['a <= b >= c', 8],
    ['1 < 2 < x', 7],
    ['1 < (x) < 5', 9],
    ['1 < x + 1 < 5', 11],
    ['1 < -x < 5', 8],
    ['1 < x < 5 < 7', 11],
    ['a == b == c', 8],
    ['a != b == c', 8],
  ])('%j is a chained comparison, not a range: error at column %i', (text, column) => {
    const e = errorOf(() => parseFilter(text));
    expect(e.code).toBe(ErrorCode.ParameterInvalid);
    expect(e.message).toContain(`at column ${column} found`);
    expect(e.message).toContain('comparisons cannot be chained');
  });
});

describe('parseFilter: fields, JSON paths and element access', () => {
  it('reads string keys and decimal indexes, chained', () => {
    expect(parse('meta["a"]["b"] == 1')).toBe('(== meta["a"]["b"] 1n)');
    expect(parse('arr[0] > 1')).toBe('(> arr[0] 1n)');
    expect(parse("meta['list'][2] == 'x'")).toBe('(== meta["list"][2] "x")');
    expect(parse('meta[r"k\\n"] == 1')).toBe('(== meta["k\\\\n"] 1n)');
    expect(parse('arr [ 10 ] == 1')).toBe('(== arr[10] 1n)');
  });

  it('keeps indexes as exact bigints and keys as strings', () => {
    const e = parseFilter('m["0"][12345678901234567890] == 1');
    expect(e.kind === 'compare' && e.left.kind === 'field' && e.left.path).toEqual(['0', 12345678901234567890n]);
  });

  it('reads $meta as the dynamic field, bare or with keys', () => {
    expect(parse('$meta["color"] == "red"')).toBe('(== $meta["color"] "red")');
    expect(parse('exists $meta')).toBe('(exists $meta)');
  });

  it('parses the JSON and Filtering examples (Milvus docs)', () => {
    expect(parse('product["model"] == "JSN-087" AND product["price"] < 1850'))
      .toBe('(and (== product["model"] "JSN-087") (< product["price"] 1850n))');
    expect(parse('history_temperatures[10] > 23')).toBe('(> history_temperatures[10] 23n)');
    expect(parse('product["price"] > 1000')).toBe('(> product["price"] 1000n)');
    expect(parse('history_temperatures[0] > 30')).toBe('(> history_temperatures[0] 30n)');
    expect(parse('exists metadata["special"]')).toBe('(exists metadata["special"])');
  });

  it.each([
    ['a[b] == 1', 3, "found 'b', expected a quoted key or a non-negative decimal index inside 'a[…]'"],
    ['a[-1] == 1', 3, "found '-', expected a quoted key"],
    ['a[1.5] == 1', 3, "found '1.5', expected a quoted key"],
    ['a[0x1] == 1', 3, "found '0x1', expected a quoted key"],
    ['a[01] == 1', 3, "found '01', expected a quoted key"],
    ['a[] == 1', 3, "found ']', expected a quoted key"],
    ['a["k" == 1', 7, "found '==', expected ']'"],
    ['a["k"', 6, "found the end of the filter, expected ']'"],
    ['(a)[0] == 1', 4, "found '[', expected an operator or the end of the filter"],
    ['[1, 2][0] == 1', 7, "found '[', expected an operator or the end of the filter"],
  ])('%j fails at column %i: %s', (text, column, detail) => {
    const e = errorOf(() => parseFilter(text));
    expect(e.code).toBe(ErrorCode.ParameterInvalid);
    expect(e.message).toContain(`at column ${column} ${detail}`);
  });
});

describe('parseFilter: like, exists, is null', () => {
  it('parses like with a string or template pattern, in either case', () => {
    expect(parse('name like "Prod%"')).toBe('(like name "Prod%")');
    expect(parse('name LIKE "%XYZ"')).toBe('(like name "%XYZ")');
    expect(parse('name LIKE "%Pro%"')).toBe('(like name "%Pro%")');
    expect(parse('color like "red%" and likes > 50')).toBe('(and (like color "red%") (> likes 50n))');
    expect(parse('meta["k"] like {p}')).toBe('(like meta["k"] {p})');
    expect(parse('name like "a%" and not (name like "ab%")')).toBe('(and (like name "a%") (not (like name "ab%")))');
    expect(parse('not name like "a%"')).toBe('(not (like name "a%"))');
  });

  it('rejects a like pattern that is not a string or a template', () => {
    for (const [text, found] of [['name like 5', "'5'"], ['name like x', "'x'"], ['name like', 'the end of the filter']]) {
      const e = errorOf(() => parseFilter(text));
      expect(e.code).toBe(ErrorCode.ParameterInvalid);
      expect(e.message).toContain(`at column ${text === 'name like' ? 10 : 11} found ${found}, expected a string pattern after 'like'`);
    }
  });

  it('parses exists on a field or JSON path', () => {
    expect(parse('exists meta["k"]')).toBe('(exists meta["k"])');
    expect(parse('EXISTS color and not exists size')).toBe('(and (exists color) (not (exists size)))');
    const e = parseFilter('exists a');
    expect(e.column).toBe(1);
  });

  it.each([
    ['exists 1', 8, "found '1', expected a field name or JSON path after 'exists'"],
    ['exists (a)', 8, "found '(', expected a field name or JSON path"],
    ['exists f(a)', 8, "found 'f', expected a field name or JSON path"],
    ['exists', 7, 'found the end of the filter, expected a field name or JSON path'],
  ])('%j fails at column %i: %s', (text, column, detail) => {
    const e = errorOf(() => parseFilter(text));
    expect(e.code).toBe(ErrorCode.ParameterInvalid);
    expect(e.message).toContain(`at column ${column} ${detail}`);
  });

  it('parses is null and is not null in any case, on fields and JSON paths', () => {
    expect(parse('a is null')).toBe('(is null a)');
    expect(parse('a IS NULL')).toBe('(is null a)');
    expect(parse('a Is Null')).toBe('(is null a)');
    expect(parse('a is not null')).toBe('(is not null a)');
    expect(parse('a IS NOT NULL')).toBe('(is not null a)');
    expect(parse('a is Not null')).toBe('(is not null a)');
    expect(parse('meta["k"] is null or b is not null')).toBe('(or (is null meta["k"]) (is not null b))');
    expect(parse('not a is null')).toBe('(not (is null a))');
    expect(parse('(a is null)')).toBe('(is null a)');
    expect(parse('a[0] is null')).toBe('(is null a[0])');
    expect(parse('description IS NOT NULL AND price > 10')).toBe('(and (is not null description) (> price 10n))');
    const e = parseFilter('abc IS NULL');
    expect(e.column).toBe(5);
  });

  it('keeps is and null usable as field names', () => {
    expect(parse('is == 1')).toBe('(== is 1n)');
    expect(parse('null == 1')).toBe('(== null 1n)');
  });

  it.each([
    ['a is not 5', 10, "found '5', expected 'null'"],
    ['a is nothing', 3, "found 'is', expected an operator or the end of the filter"],
    ['1 is null', 3, "found 'is' after an expression that is not a field name or JSON path"],
    ['f(a) is null', 6, "found 'is' after an expression that is not a field name or JSON path"],
    ['(a) is null', 5, "found 'is' after an expression that is not a field name or JSON path"],
  ])('%j fails at column %i: %s', (text, column, detail) => {
    const e = errorOf(() => parseFilter(text));
    expect(e.code).toBe(ErrorCode.ParameterInvalid);
    expect(e.message).toContain(`at column ${column} ${detail}`);
  });
});

describe('parseFilter: function calls and templates', () => {
  it('lower-cases function names and reads comma-separated arguments', () => {
    expect(parse('json_contains(tags, "a")')).toBe('(json_contains(tags "a"))');
    expect(parse('JSON_CONTAINS_ALL(tags, ["a", "b"])')).toBe('(json_contains_all(tags ["a" "b"]))');
    expect(parse('json_contains_any(tags, ["a","b"])')).toBe('(json_contains_any(tags ["a" "b"]))');
    expect(parse('Array_Contains(arr, 1)')).toBe('(array_contains(arr 1n))');
    expect(parse('array_contains_all(arr, [1, 2,])')).toBe('(array_contains_all(arr [1n 2n]))');
    expect(parse('ARRAY_CONTAINS_ANY(arr, {vals})')).toBe('(array_contains_any(arr {vals}))');
    expect(parse('array_length(arr) == 3')).toBe('(== (array_length(arr)) 3n)');
    expect(parse('f()')).toBe('(f())');
    expect(parse('f(a,)')).toBe('(f(a))');
    expect(parse('f(a + 1, g(b))')).toBe('(f((+ a 1n) (g(b))))');
    expect(parse('f (a)')).toBe('(f(a))');
    expect(parseFilter('x == 1 or ARRAY_LENGTH(a) > 1').kind).toBe('logical');
  });

  it('parses the JSON Operators and ARRAY Operators examples (Milvus docs)', () => {
    expect(parse('json_contains(product["tags"], "sale")')).toBe('(json_contains(product["tags"] "sale"))');
    expect(parse('json_contains_all(product["tags"], ["electronics", "sale", "new"])'))
      .toBe('(json_contains_all(product["tags"] ["electronics" "sale" "new"]))');
    expect(parse('json_contains_any(product["tags"], ["electronics", "new", "clearance"])'))
      .toBe('(json_contains_any(product["tags"] ["electronics" "new" "clearance"]))');
    expect(parse('ARRAY_CONTAINS(history_temperatures, 23)')).toBe('(array_contains(history_temperatures 23n))');
    expect(parse('ARRAY_CONTAINS_ALL(history_temperatures, [23, 24])')).toBe('(array_contains_all(history_temperatures [23n 24n]))');
    expect(parse('ARRAY_CONTAINS_ANY(history_temperatures, [23, 24])')).toBe('(array_contains_any(history_temperatures [23n 24n]))');
    expect(parse('ARRAY_LENGTH(history_temperatures) < 10')).toBe('(< (array_length(history_temperatures)) 10n)');
  });

  it('parses templates as values anywhere an expression may stand (Filter Templating, Milvus docs)', () => {
    expect(parse('age > {age} AND city IN {city}')).toBe('(and (> age {age}) (in city {city}))');
    expect(parse('{lo} < x < {hi}')).toBe('(range {lo} < x < {hi})');
    expect(parse('x in [{a}, 2]')).toBe('(in x [{a} 2n])');
    const l = parseFilter(' {p} == a');
    expect(l.kind === 'compare' && l.left.column).toBe(2);
    const t = parseFilter('a == {p}');
    expect(t.kind === 'compare' && t.right.column).toBe(6);
  });

  it.each([
    ['f(a b)', 5, "found 'b', expected ',' or ')' in the arguments of f(…)"],
    ['f(a', 4, "found the end of the filter, expected ',' or ')' in the arguments of f(…)"],
    ['f(,)', 3, "found ',', expected a value"],
    ['$meta(a)', 6, "found '(', expected an operator or the end of the filter"],
    ['a == {1}', 7, "found '1', expected a template parameter name inside '{…}'"],
    ['a == {}', 7, "found '}', expected a template parameter name"],
    ['a == {p', 8, "found the end of the filter, expected '}'"],
    ['a == {p q}', 9, "found 'q', expected '}'"],
    ['a == {and}', 7, "found 'and', expected a template parameter name"],
  ])('%j fails at column %i: %s', (text, column, detail) => {
    const e = errorOf(() => parseFilter(text));
    expect(e.code).toBe(ErrorCode.ParameterInvalid);
    expect(e.message).toContain(`at column ${column} ${detail}`);
  });

  it('guards nesting of calls against stack overflow', () => {
    const deep = `${'f('.repeat(MAX_FILTER_DEPTH + 1)}a${')'.repeat(MAX_FILTER_DEPTH + 1)}`;
    expect(errorOf(() => parseFilter(deep)).message).toContain(`nesting deeper than ${MAX_FILTER_DEPTH} levels`);
    expect(errorOf(() => parseFilter(`x == ${'2 ** '.repeat(MAX_FILTER_DEPTH + 1)}2`)).code).toBe(ErrorCode.ParameterInvalid);
  });

  it('counts left-associative arithmetic chains as nesting (their trees are as deep as they are long)', () => {
    for (const op of ['+', '-', '*', '/', '%']) {
      const long = `x${` ${op} 1`.repeat(20_000)} > 0`;
      expect(errorOf(() => parseFilter(long)).message).toContain(`nesting deeper than ${MAX_FILTER_DEPTH} levels`);
    }
    expect(() => parseFilter(`x${' + 1'.repeat(MAX_FILTER_DEPTH - 10)} > 0`)).not.toThrow();
    expect(() => parseFilter(Array.from({ length: 20_000 }, (_, i) => `x == ${i}`).join(' or '))).not.toThrow();
  });
});

describe('parseFilter: Milvus syntax that Milvus does not evaluate in filters', () => {
  it.each([
    ['a & 1 == 1', 3, 'bitwise'],
    ['a | 1 == 1', 3, 'bitwise'],
    ['a ^ 1 == 1', 3, 'bitwise'],
    ['~a == 1', 1, 'bitwise'],
    ['a << 1 == 2', 3, 'bitwise'],
    ['a >> 1 == 2', 3, 'bitwise'],
    ['name =~ "a.*"', 6, 'regular-expression matching'],
    ['name !~ "a.*"', 6, 'regular-expression matching'],
    ['$ > 1', 1, 'an element reference'],
    ['$[a] > 1', 1, 'an element reference'],
  ])('%j is rejected at column %i: %s', (text, column, construct) => {
    const e = errorOf(() => parseFilter(text));
    expect(e.code).toBe(ErrorCode.OperationNotSupported);
    expect(e.message).toContain(`cannot use filter ${JSON.stringify(text)}: at column ${column}, ${construct}`);
    expect(e.message).toContain('is not supported');
  });
});
