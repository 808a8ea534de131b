/**
 * Pratt (precedence-climbing) parser for Milvus filter expressions. Binding powers follow the
 * order of the alternatives of `expr` in Milvus's `internal/parser/planparserv2/Plan.g4`, where an
 * earlier alternative binds tighter (ANTLR 4 left-recursion rules), loosest first:
 *
 *   or < and < `|` < `^` < `&` < `== !=` < `< <= > >=` < `in`, `not in` < `<< >>` < `+ -`
 *   < `* / %` < prefix `not ! - + ~` < `**` < `like =~ !~`
 *
 * So `not` binds tighter than comparisons, as in Milvus: `not a > 1` means `(not a) > 1`
 * (rejected by the binder), and is written `not (a > 1)`. Binary operators are
 * left-associative; comparisons do not chain (`a < b < c` is Milvus's range form, not yet built).
 *
 * Operators and forms of the grammar that Shoal does not evaluate yet (arithmetic, bitwise,
 * `like`, JSON paths, `exists`, function calls, `is null`, templates, ranges) are recognised and
 * rejected with an OperationNotSupported error; adding one means adding its node to `ast.ts` and
 * replacing its `unsupported` entry below.
 */
import type { CompareOp, Expr } from './ast.ts';
import { tokenize, type Token } from './lexer.ts';
import { syntaxError, syntaxNotSupported } from './syntax-error.ts';

/** Deepest nesting of parentheses, lists and prefix operators accepted (guards the call stack). */
export const MAX_FILTER_DEPTH = 1000;

/** Binding powers (higher binds tighter); see the file comment for their source. */
const BP = {
  or: 10, and: 20, bitOr: 30, bitXor: 40, bitAnd: 50, equality: 60, relational: 70, in: 80,
  shift: 90, additive: 100, multiplicative: 110, prefix: 120, power: 130, match: 140, postfix: 150,
} as const;

/** What a token means in infix (or postfix) position. */
type Infix =
  | { bp: number; form: 'logical'; op: 'and' | 'or' }
  | { bp: number; form: 'compare'; op: CompareOp }
  | { bp: number; form: 'in'; negated: boolean }
  | { bp: number; form: 'unsupported'; construct: string };

const ARITHMETIC = 'arithmetic (+, -, *, /, %, **)';
const BITWISE = 'bitwise arithmetic (&, |, ^, ~, <<, >>)';

const SYMBOL_INFIX = new Map<string, Infix>([
  ['==', { bp: BP.equality, form: 'compare', op: '==' }],
  ['!=', { bp: BP.equality, form: 'compare', op: '!=' }],
  ['<', { bp: BP.relational, form: 'compare', op: '<' }],
  ['<=', { bp: BP.relational, form: 'compare', op: '<=' }],
  ['>', { bp: BP.relational, form: 'compare', op: '>' }],
  ['>=', { bp: BP.relational, form: 'compare', op: '>=' }],
  ['|', { bp: BP.bitOr, form: 'unsupported', construct: BITWISE }],
  ['^', { bp: BP.bitXor, form: 'unsupported', construct: BITWISE }],
  ['&', { bp: BP.bitAnd, form: 'unsupported', construct: BITWISE }],
  ['<<', { bp: BP.shift, form: 'unsupported', construct: BITWISE }],
  ['>>', { bp: BP.shift, form: 'unsupported', construct: BITWISE }],
  ['+', { bp: BP.additive, form: 'unsupported', construct: ARITHMETIC }],
  ['-', { bp: BP.additive, form: 'unsupported', construct: ARITHMETIC }],
  ['*', { bp: BP.multiplicative, form: 'unsupported', construct: ARITHMETIC }],
  ['/', { bp: BP.multiplicative, form: 'unsupported', construct: ARITHMETIC }],
  ['%', { bp: BP.multiplicative, form: 'unsupported', construct: ARITHMETIC }],
  ['**', { bp: BP.power, form: 'unsupported', construct: ARITHMETIC }],
  ['=~', { bp: BP.match, form: 'unsupported', construct: 'regular-expression matching (=~, !~)' }],
  ['!~', { bp: BP.match, form: 'unsupported', construct: 'regular-expression matching (=~, !~)' }],
  ['[', { bp: BP.postfix, form: 'unsupported', construct: 'JSON path and element access (field["key"], field[0])' }],
]);

/**
 * Parses a filter expression into its untyped syntax tree (no schema needed).
 * @param text the filter, e.g. `age > 18 and name in ["a", "b"]`.
 * @throws ShoalError(ParameterInvalid) for malformed text, e.g.
 *   `cannot parse filter "age > and x": at column 7 found 'and', expected a value`
 *   (1-based code-point column, the token found, what was expected); this includes empty text.
 * @throws ShoalError(OperationNotSupported) for Milvus syntax Shoal does not evaluate yet.
 */
export function parseFilter(text: string): Expr {
  return new Parser(text).parseAll();
}

class Parser {
  private readonly source: string;
  private readonly tokens: Token[];
  private index = 0;
  private depth = 0;

  constructor(source: string) {
    this.source = source;
    this.tokens = tokenize(source);
  }

  parseAll(): Expr {
    const e = this.expression(0);
    const t = this.peek();
    if (t.kind !== 'eof') this.unexpected(t, 'an operator or the end of the filter');
    return e;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return t;
  }

  private unexpected(t: Token, expected: string): never {
    const found = t.kind === 'eof' ? 'the end of the filter' : `'${t.text}'`;
    const hint = t.kind === 'symbol' && t.text === '=' ? " (use '==' to compare)" : '';
    throw syntaxError(this.source, t.column, `found ${found}, expected ${expected}${hint}`);
  }

  private unsupported(t: Token, construct: string): never {
    throw syntaxNotSupported(this.source, t.column, construct);
  }

  /** Parses operators binding tighter than `minBp`, starting with a prefix form. */
  private expression(minBp: number): Expr {
    if (++this.depth > MAX_FILTER_DEPTH) {
      throw syntaxError(this.source, this.peek().column, `found nesting deeper than ${MAX_FILTER_DEPTH} levels, which is not allowed`);
    }
    let left = this.prefix();
    for (;;) {
      const t = this.peek();
      const infix = this.infixOf(t);
      if (infix === undefined || infix.bp <= minBp) break;
      left = this.infix(left, t, infix);
    }
    this.depth--;
    return left;
  }

  private infixOf(t: Token): Infix | undefined {
    if (t.kind === 'symbol') return SYMBOL_INFIX.get(t.text);
    if (t.kind === 'keyword') {
      switch (t.word) {
        case 'and': return { bp: BP.and, form: 'logical', op: 'and' };
        case 'or': return { bp: BP.or, form: 'logical', op: 'or' };
        case 'in': return { bp: BP.in, form: 'in', negated: false };
        case 'not': {
          const n = this.peek(1);
          return n.kind === 'keyword' && n.word === 'in' ? { bp: BP.in, form: 'in', negated: true } : undefined;
        }
        case 'like': return { bp: BP.match, form: 'unsupported', construct: 'the like operator' };
        default: return undefined;
      }
    }
    if (t.kind === 'ident' && (t.text === 'is' || t.text === 'IS')) {
      const n = this.peek(1);
      const isNullTest = (n.kind === 'ident' && (n.text === 'null' || n.text === 'NULL')) || (n.kind === 'keyword' && n.word === 'not');
      return isNullTest ? { bp: BP.postfix, form: 'unsupported', construct: 'null testing (is null, is not null)' } : undefined;
    }
    return undefined;
  }

  private infix(left: Expr, t: Token, infix: Infix): Expr {
    this.next();
    switch (infix.form) {
      case 'unsupported':
        return this.unsupported(t, infix.construct);
      case 'logical':
        return { kind: 'logical', op: infix.op, left, right: this.expression(infix.bp), column: t.column };
      case 'in':
        if (infix.negated) this.next();
        return { kind: 'in', negated: infix.negated, operand: left, list: this.expression(infix.bp), column: t.column };
      case 'compare': {
        const right = this.expression(infix.bp);
        const following = this.peek();
        const chained = this.infixOf(following);
        if (chained?.form === 'compare' && chained.bp === infix.bp) this.chainedComparison(infix.op, chained.op, right, following);
        return { kind: 'compare', op: infix.op, left, right, column: t.column };
      }
    }
  }

  /** `a op1 b op2 c` with two comparisons of one precedence level: Milvus's range form, or an error. */
  private chainedComparison(op1: CompareOp, op2: CompareOp, middle: Expr, t: Token): never {
    const ascending = (op: CompareOp) => op === '<' || op === '<=';
    const descending = (op: CompareOp) => op === '>' || op === '>=';
    const isRange = middle.kind === 'field' && ((ascending(op1) && ascending(op2)) || (descending(op1) && descending(op2)));
    if (isRange) this.unsupported(t, 'a range comparison such as 1 < x < 5 (write 1 < x and x < 5)');
    throw syntaxError(this.source, t.column, `found '${t.text}': comparisons cannot be chained, combine them with 'and'`);
  }

  private prefix(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'int': case 'float': case 'string': case 'bool':
        return { kind: 'literal', value: t.value, column: t.column };
      case 'ident': {
        if (t.text === '$meta') this.unsupported(t, 'the dynamic field ($meta)');
        const n = this.peek();
        if (n.kind === 'symbol' && n.text === '(') this.unsupported(t, `calling a function such as ${t.text}(…)`);
        return { kind: 'field', name: t.text, path: [], column: t.column };
      }
      case 'keyword':
        if (t.word === 'not') return { kind: 'unary', op: 'not', operand: this.expression(BP.prefix), column: t.column };
        if (t.word === 'exists') this.unsupported(t, 'the exists operator');
        return this.unexpected(t, 'a value');
      case 'symbol':
        switch (t.text) {
          case '(': {
            const inner = this.expression(0);
            const close = this.next();
            if (close.kind !== 'symbol' || close.text !== ')') this.unexpected(close, "an operator or ')'");
            return inner;
          }
          case '[':
            return this.array(t);
          case '-': case '+':
            return { kind: 'unary', op: t.text === '-' ? '-' : '+', operand: this.expression(BP.prefix), column: t.column };
          case '~':
            return this.unsupported(t, BITWISE);
          case '{':
            return this.unsupported(t, 'a template parameter ({name})');
          case '$':
            return this.unsupported(t, 'an element reference ($, $[field])');
          default:
            return this.unexpected(t, 'a value');
        }
      default:
        return this.unexpected(t, 'a value');
    }
  }

  /** `[a, b, …]` after its `[`; a trailing comma and the empty list `[]` are allowed (Plan.g4 `Array`). */
  private array(open: Token): Expr {
    if (++this.depth > MAX_FILTER_DEPTH) {
      throw syntaxError(this.source, open.column, `found nesting deeper than ${MAX_FILTER_DEPTH} levels, which is not allowed`);
    }
    const items: Expr[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'symbol' && t.text === ']') { this.next(); break; }
      items.push(this.expression(0));
      const sep = this.next();
      if (sep.kind === 'symbol' && sep.text === ']') break;
      if (sep.kind !== 'symbol' || sep.text !== ',') this.unexpected(sep, "',' or ']'");
    }
    this.depth--;
    return { kind: 'array', items, column: open.column };
  }
}
