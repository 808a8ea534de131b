import { describe, expect, it } from 'vitest';
import { ErrorCode, ShoalError } from '@shoal/actors';
import { MAX_FILTER_DEPTH, parseFilter, type Expr } from '../src/expr/index.ts';

/** The tree as an S-expression: literals as JSON (bigints with an `n`), fields by name. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'literal': return typeof e.value === 'bigint' ? `${e.value}n` : JSON.stringify(e.value);
    case 'field': return e.name;
    case 'array': return `[${e.items.map(show).join(' ')}]`;
    case 'unary': return `(${e.op} ${show(e.operand)})`;
    case 'logical': case 'compare': return `(${e.op} ${show(e.left)} ${show(e.right)})`;
    default: throw new Error(`show: ${e.kind} not handled`);
    case 'in': return `(${e.negated ? 'not in' : 'in'} ${show(e.operand)} ${show(e.list)})`;
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

describe('parseFilter: Milvus syntax that is not supported yet', () => {
  it.each([
    ['a + 1 > 2', 3, 'arithmetic'],
    ['a * 2 == 4', 3, 'arithmetic'],
    ['a ** 2 == 4', 3, 'arithmetic'],
    ['a & 1 == 1', 3, 'bitwise'],
    ['~a == 1', 1, 'bitwise'],
    ['a << 1 == 2', 3, 'bitwise'],
    ['name like "a%"', 6, 'the like operator'],
    ['name LIKE "a%"', 6, 'the like operator'],
    ['name =~ "a.*"', 6, 'regular-expression matching'],
    ['meta["k"] == 1', 5, 'JSON path'],
    ['exists meta["k"]', 1, 'the exists operator'],
    ['json_contains(meta, 1)', 1, 'calling a function such as json_contains(…)'],
    ['array_length(tags) == 2', 1, 'calling a function such as array_length(…)'],
    ['a is null', 3, 'null testing'],
    ['a IS NOT NULL', 3, 'null testing'],
    ['a > {p}', 5, 'a template parameter'],
    ['$meta == 1', 1, 'the dynamic field'],
    ['1 < a < 5', 7, 'a range comparison'],
    ['5 >= a > 1', 8, 'a range comparison'],
  ])('%j is rejected at column %i: %s', (text, column, construct) => {
    const e = errorOf(() => parseFilter(text));
    expect(e.code).toBe(ErrorCode.OperationNotSupported);
    expect(e.message).toContain(`cannot use filter ${JSON.stringify(text)}: at column ${column}, ${construct}`);
    expect(e.message).toContain('is not supported yet');
  });
});
