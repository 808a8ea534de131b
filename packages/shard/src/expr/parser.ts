/**
 * Pratt (precedence-climbing) parser for Milvus filter expressions. Binding powers follow the
 * order of the alternatives of `expr` in Milvus's `internal/parser/planparserv2/Plan.g4`, where an
 * earlier alternative binds tighter (ANTLR 4 left-recursion rules), loosest first:
 *
 *   or < and < `|` < `^` < `&` < `== !=` < `< <= > >=` and the range form < `in`, `not in`
 *   < `<< >>` < `+ -` < `* / %` < prefix `not ! - + ~` < `**` < `like =~ !~` < `is [not] null`
 *
 * So `not` binds tighter than comparisons, as in Milvus: `not a > 1` means `(not a) > 1`
 * (rejected by the binder), and is written `not (a > 1)`; and `-x ** 2` means `-(x ** 2)`.
 * Binary operators are left-associative except `**` (right-associative). Comparisons do not
 * chain, with one exception, Milvus's range form (Plan.g4 `Range`, `ReverseRange`):
 * `lower (<|<=) name (<|<=) upper` or `upper (>|>=) name (>|>=) lower`, where `name` is an
 * identifier or JSON path written directly (not in parentheses); both parse to one ascending
 * `range` node. `a < b > c` and `a == b == c` are syntax errors.
 *
 * Primaries: literals, lists `[…]`, parentheses, identifiers and `$meta` with element accesses
 * `name["key"][0]` (Plan.g4 `JSONIdentifier`; here spaces may separate the brackets), function
 * calls `name(arg, …)` (any name, lower-cased; the binder checks it), templates `{name}`,
 * `exists path`, and the postfix null test `path is null` / `path is not null` (any case).
 *
 * Grammar that Shoal does not evaluate — bitwise operators (`& | ^ ~ << >>`, which Milvus does
 * not evaluate in filters either), regular-expression matching (`=~`, `!~`, evaluated only from
 * Milvus 3.0 on, docs "Pattern Matching") and the element references `$`, `$[field]` (struct
 * arrays) — is recognised and rejected with an OperationNotSupported error.
 */
import type { ArithOp, CompareOp, Expr, FieldExpr, PathStep } from './ast.ts';
import { tokenize, type Token } from './lexer.ts';
import { syntaxError, syntaxNotSupported } from './syntax-error.ts';

/** Deepest nesting of parentheses, lists, calls and prefix operators accepted (guards the call stack). */
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
  | { bp: number; form: 'arith'; op: ArithOp }
  | { bp: number; form: 'in'; negated: boolean }
  | { bp: number; form: 'like' }
  | { bp: number; form: 'isNull'; negated: boolean }
  | { bp: number; form: 'unsupported'; construct: string };

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
  ['+', { bp: BP.additive, form: 'arith', op: '+' }],
  ['-', { bp: BP.additive, form: 'arith', op: '-' }],
  ['*', { bp: BP.multiplicative, form: 'arith', op: '*' }],
  ['/', { bp: BP.multiplicative, form: 'arith', op: '/' }],
  ['%', { bp: BP.multiplicative, form: 'arith', op: '%' }],
  ['**', { bp: BP.power, form: 'arith', op: '**' }],
  ['=~', { bp: BP.match, form: 'unsupported', construct: 'regular-expression matching (=~, !~)' }],
  ['!~', { bp: BP.match, form: 'unsupported', construct: 'regular-expression matching (=~, !~)' }],
]);

/** An array index in element access: Plan.g4 `DecimalConstant` (no sign, no leading zero, no radix prefix). */
const DECIMAL_INDEX = /^(?:0|[1-9][0-9]*)$/;

/**
 * Parses a filter expression into its untyped syntax tree (no schema needed).
 * @param text the filter, e.g. `age > 18 and name in ["a", "b"]`, `1 < price <= 5`,
 *   `meta["tags"][0] like "a%"`, `json_contains(tags, {tag})`, `color is not null`.
 * @returns the `Expr` tree (`ast.ts`).
 * @throws ShoalError(ParameterInvalid) for malformed text, e.g.
 *   `cannot parse filter "age > and x": at column 7 found 'and', expected a value`
 *   (1-based code-point column, the token found, what was expected); this includes empty text.
 * @throws ShoalError(OperationNotSupported) for bitwise operators, `=~`/`!~` and `$`/`$[field]`
 *   (see the file comment).
 */
export function parseFilter(text: string): Expr {
  return new Parser(text).parseAll();
}

const isSymbol = (t: Token, text: string): boolean => t.kind === 'symbol' && t.text === text;
/** An identifier token spelling `word` in any case (`is`, `null`); `not` is a keyword in two casings only. */
const isWord = (t: Token, word: string): boolean =>
  (t.kind === 'ident' || t.kind === 'keyword') && t.text.toLowerCase() === word;

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

  /** The token `offset` places from the current one (negative: already consumed); clamped to the token list. */
  private peek(offset = 0): Token {
    return this.tokens[Math.max(0, Math.min(this.index + offset, this.tokens.length - 1))];
  }

  private next(): Token {
    const t = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return t;
  }

  /** Consumes the symbol `text` or fails naming what was expected. */
  private expect(text: string, expected: string): Token {
    const t = this.next();
    if (!isSymbol(t, text)) this.unexpected(t, expected);
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

  private enter(t: Token): void {
    if (++this.depth > MAX_FILTER_DEPTH) {
      throw syntaxError(this.source, t.column, `found nesting deeper than ${MAX_FILTER_DEPTH} levels, which is not allowed`);
    }
  }

  /**
   * Parses operators binding tighter than `minBp`, starting with a prefix form. Each arithmetic
   * operator folded into `left` deepens the tree by one level, which the binder and evaluators
   * walk recursively, so it counts toward {@link MAX_FILTER_DEPTH} like a parenthesis (`and`/`or`
   * chains do not: the binder flattens them).
   */
  private expression(minBp: number): Expr {
    this.enter(this.peek());
    let folds = 0;
    let left = this.prefix();
    for (;;) {
      const t = this.peek();
      const infix = this.infixOf(t);
      if (infix === undefined || infix.bp <= minBp) break;
      if (infix.form === 'arith') { this.enter(t); folds++; }
      left = this.infix(left, t, infix);
    }
    this.depth -= 1 + folds;
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
        case 'like': return { bp: BP.match, form: 'like' };
        default: return undefined;
      }
    }
    if (isWord(t, 'is')) {
      const n = this.peek(1);
      if (isWord(n, 'null')) return { bp: BP.postfix, form: 'isNull', negated: false };
      if (isWord(n, 'not')) return { bp: BP.postfix, form: 'isNull', negated: true };
    }
    return undefined;
  }

  private infix(left: Expr, t: Token, infix: Infix): Expr {
    const before = this.peek(-1);
    this.next();
    switch (infix.form) {
      case 'unsupported':
        return this.unsupported(t, infix.construct);
      case 'logical':
        return { kind: 'logical', op: infix.op, left, right: this.expression(infix.bp), column: t.column };
      case 'arith': {
        // `**` is right-associative: its right side may hold another `**`.
        const right = this.expression(infix.op === '**' ? infix.bp - 1 : infix.bp);
        return { kind: 'arith', op: infix.op, left, right, column: t.column };
      }
      case 'in':
        if (infix.negated) this.next();
        return { kind: 'in', negated: infix.negated, operand: left, list: this.expression(infix.bp), column: t.column };
      case 'like':
        return { kind: 'like', operand: left, pattern: this.pattern(), column: t.column };
      case 'isNull':
        return this.isNull(left, isSymbol(before, ')'), t, infix.negated);
      case 'compare':
        return this.comparison(left, t, infix.op, infix.bp);
    }
  }

  /** The pattern after `like`: a string literal or a template (Milvus "Basic Operators", `like`). */
  private pattern(): Expr {
    const t = this.peek();
    if (t.kind === 'string') { this.next(); return { kind: 'literal', value: t.value, column: t.column }; }
    if (isSymbol(t, '{')) { this.next(); return this.template(t); }
    return this.unexpected(t, "a string pattern after 'like' (e.g. \"a%\") or a template {name}");
  }

  /**
   * After `is` (already consumed): `null` or `not null`. The operand must be a field or JSON path
   * written directly (Plan.g4 `(Identifier | JSONIdentifier) ISNULL`), not in parentheses.
   */
  private isNull(left: Expr, parenthesized: boolean, is: Token, negated: boolean): Expr {
    if (negated) this.next();
    const n = this.next();
    if (!isWord(n, 'null')) this.unexpected(n, "'null'");
    if (left.kind !== 'field' || parenthesized) {
      throw syntaxError(this.source, is.column, `found '${is.text}' after an expression that is not a field name or JSON path (is null applies to a field, e.g. age is null)`);
    }
    return { kind: 'isNull', negated, operand: left, column: is.column };
  }

  /**
   * `left op …` for a comparison operator: a plain comparison, or — when the right side is a name
   * written directly and followed by a second comparison of the same direction — a range
   * (Plan.g4 `Range`/`ReverseRange`), normalized to ascending order. Any other chain fails.
   */
  private comparison(left: Expr, t: Token, op: CompareOp, bp: number): Expr {
    const start = this.peek();
    const right = this.expression(bp);
    const following = this.peek();
    const chained = this.infixOf(following);
    if (chained?.form !== 'compare' || chained.bp !== bp) return { kind: 'compare', op, left, right, column: t.column };
    const op2 = chained.op;
    const up = (o: CompareOp): boolean => o === '<' || o === '<=';
    const down = (o: CompareOp): boolean => o === '>' || o === '>=';
    const ascending = up(op) && up(op2);
    const isName = right.kind === 'field' && start.kind === 'ident';
    if (!isName || !(ascending || (down(op) && down(op2)))) {
      throw syntaxError(this.source, following.column, `found '${following.text}': comparisons cannot be chained, combine them with 'and' ` +
        '(the only chain allowed is a range such as 1 < x <= 5 or 5 >= x > 1, with a field name in the middle)');
    }
    this.next();
    const other = this.expression(bp);
    const after = this.peek();
    const again = this.infixOf(after);
    if (again?.form === 'compare' && again.bp === bp) {
      throw syntaxError(this.source, after.column, `found '${after.text}': comparisons cannot be chained, combine them with 'and'`);
    }
    // `>` reads as `<` and `>=` as `<=` once the bounds are swapped into ascending order.
    const asc = (o: CompareOp): '<' | '<=' => (o === '<' || o === '>' ? '<' : '<=');
    return ascending
      ? { kind: 'range', lower: left, lowerOp: asc(op), operand: right, upperOp: asc(op2), upper: other, column: t.column }
      : { kind: 'range', lower: other, lowerOp: asc(op2), operand: right, upperOp: asc(op), upper: left, column: t.column };
  }

  private prefix(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'int': case 'float': case 'string': case 'bool':
        return { kind: 'literal', value: t.value, column: t.column };
      case 'ident':
        if (isSymbol(this.peek(), '(') && t.text !== '$meta') return this.call(t);
        return this.field(t);
      case 'keyword':
        if (t.word === 'not') return { kind: 'unary', op: 'not', operand: this.expression(BP.prefix), column: t.column };
        if (t.word === 'exists') return this.exists(t);
        return this.unexpected(t, 'a value');
      case 'symbol':
        switch (t.text) {
          case '(': {
            const inner = this.expression(0);
            this.expect(')', "an operator or ')'");
            return inner;
          }
          case '[':
            return this.array(t);
          case '-': case '+':
            return { kind: 'unary', op: t.text === '-' ? '-' : '+', operand: this.expression(BP.prefix), column: t.column };
          case '{':
            return this.template(t);
          case '~':
            return this.unsupported(t, BITWISE);
          case '$':
            return this.unsupported(t, 'an element reference ($, $[field])');
          default:
            return this.unexpected(t, 'a value');
        }
      default:
        return this.unexpected(t, 'a value');
    }
  }

  /**
   * An identifier (or `$meta`) and the element accesses after it: `["key"]` (string or raw string)
   * or `[index]` (a decimal integer), chained (Plan.g4 `JSONIdentifier`).
   */
  private field(name: Token): FieldExpr {
    const path: PathStep[] = [];
    while (isSymbol(this.peek(), '[')) {
      this.next();
      const step = this.next();
      if (step.kind === 'string') path.push(step.value);
      else if (step.kind === 'int' && DECIMAL_INDEX.test(step.text)) path.push(step.value);
      else this.unexpected(step, `a quoted key or a non-negative decimal index inside '${name.text}[…]'`);
      this.expect(']', "']'");
    }
    return { kind: 'field', name: name.text, path, column: name.column };
  }

  /** `exists path` (Plan.g4 `Exists`); the operand must be a field name or JSON path. */
  private exists(t: Token): Expr {
    const n = this.next();
    if (n.kind !== 'ident' || isSymbol(this.peek(), '(')) this.unexpected(n, "a field name or JSON path after 'exists' (e.g. exists meta[\"key\"])");
    return { kind: 'exists', operand: this.field(n), column: t.column };
  }

  /** `{name}` after its `{` (Plan.g4 `TemplateVariable`): the name is an identifier. */
  private template(open: Token): Expr {
    const n = this.next();
    if (n.kind !== 'ident' || n.text === '$meta') this.unexpected(n, "a template parameter name inside '{…}'");
    this.expect('}', "'}'");
    return { kind: 'template', name: n.text, column: open.column };
  }

  /**
   * `name(arg, …)` after its name (Plan.g4 `JSONContains`…, `ArrayLength`, `Call`): arguments are
   * expressions separated by commas, a trailing comma and no arguments allowed; the name is
   * lower-cased (Milvus accepts `json_contains` and `JSON_CONTAINS`).
   */
  private call(name: Token): Expr {
    const open = this.next();
    this.enter(open);
    const args: Expr[] = [];
    for (;;) {
      if (isSymbol(this.peek(), ')')) { this.next(); break; }
      args.push(this.expression(0));
      const sep = this.next();
      if (isSymbol(sep, ')')) break;
      if (!isSymbol(sep, ',')) this.unexpected(sep, `',' or ')' in the arguments of ${name.text}(…)`);
    }
    this.depth--;
    return { kind: 'call', name: name.text.toLowerCase(), args, column: name.column };
  }

  /** `[a, b, …]` after its `[`; a trailing comma and the empty list `[]` are allowed (Plan.g4 `Array`). */
  private array(open: Token): Expr {
    this.enter(open);
    const items: Expr[] = [];
    for (;;) {
      if (isSymbol(this.peek(), ']')) { this.next(); break; }
      items.push(this.expression(0));
      const sep = this.next();
      if (isSymbol(sep, ']')) break;
      if (!isSymbol(sep, ',')) this.unexpected(sep, "',' or ']'");
    }
    this.depth--;
    return { kind: 'array', items, column: open.column };
  }
}
