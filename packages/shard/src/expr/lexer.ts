/**
 * Tokenizer for Milvus filter expressions, following the lexer rules of Milvus's
 * `internal/parser/planparserv2/Plan.g4`: identifiers `[A-Za-z_][A-Za-z0-9_]*` (and `$meta`),
 * case-listed keywords (`and`/`AND`, `true`/`True`/`TRUE`, …), integer literals (decimal, `0x`
 * hex, leading-`0` or `0o` octal, `0b` binary), floating literals (`1.5`, `.5`, `1.`, `1e-3`),
 * single- or double-quoted strings with C/Go escapes (optionally prefixed `u8`, `u`, `U`, `L`),
 * raw strings `r"…"`, and every operator symbol of the grammar (also the bitwise and `=~`/`!~`
 * ones Milvus does not evaluate in filters, so that the parser can name them in a "not supported"
 * error). `is`, `null` and function names are plain identifiers: the parser recognises
 * `is [not] null` in any case and treats an identifier followed by `(` as a call. Element access
 * `name["k"][0]` is lexed as separate tokens (Plan.g4 makes it one `JSONIdentifier` token).
 */
import { syntaxError } from './syntax-error.ts';

/** Word operators. `&&`, `||` and `!` are lexed as `and`, `or`, `not` (Plan.g4 `AND`, `OR`, `NOT`). */
export type Keyword = 'and' | 'or' | 'not' | 'in' | 'like' | 'exists';

/** One token; `text` is its source text, `column` the 1-based code-point column where it starts. */
export type Token =
  | { kind: 'int'; value: bigint; text: string; column: number }
  | { kind: 'float'; value: number; text: string; column: number }
  | { kind: 'string'; value: string; text: string; column: number }
  | { kind: 'bool'; value: boolean; text: string; column: number }
  | { kind: 'ident'; text: string; column: number }
  | { kind: 'keyword'; word: Keyword; text: string; column: number }
  | { kind: 'symbol'; text: string; column: number }
  | { kind: 'eof'; text: ''; column: number };

const KEYWORDS = new Map<string, Keyword>([
  ['and', 'and'], ['AND', 'and'], ['&&', 'and'], ['or', 'or'], ['OR', 'or'], ['||', 'or'],
  ['not', 'not'], ['NOT', 'not'], ['!', 'not'], ['in', 'in'], ['IN', 'in'],
  ['like', 'like'], ['LIKE', 'like'], ['exists', 'exists'], ['EXISTS', 'exists'],
]);

const BOOLEANS = new Map<string, boolean>([
  ['true', true], ['True', true], ['TRUE', true], ['false', false], ['False', false], ['FALSE', false],
]);

/** Operator and punctuation symbols, longest first so that `<=` wins over `<`. */
const SYMBOLS = ['**', '<<', '>>', '<=', '>=', '==', '!=', '=~', '!~', '&&', '||',
  '<', '>', '=', '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '(', ')', '[', ']', ',', '{', '}', '$'];

/** Prefixes that may precede a quoted string (Plan.g4 `EncodingPrefix`); they change nothing. */
const ENCODING_PREFIXES = new Set(['u8', 'u', 'U', 'L']);

const SIMPLE_ESCAPES = new Map<string, string>([
  ["'", "'"], ['"', '"'], ['?', '?'], ['\\', '\\'], ['a', '\x07'], ['b', '\b'], ['f', '\f'],
  ['n', '\n'], ['r', '\r'], ['t', '\t'], ['v', '\v'],
]);

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isIdentStart = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isIdentPart = (c: string): boolean => isIdentStart(c) || isDigit(c);
const isHexDigit = (c: string): boolean => isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');

/**
 * Splits `source` into tokens, ending with one `eof` token. Whitespace (space, tab, CR, LF)
 * separates tokens and is dropped.
 * @throws ShoalError(ParameterInvalid) for a character that starts no token, a malformed number
 *   (`09`, `0x`, `1e`, `12ab`), an unclosed string or an invalid escape sequence, with its column.
 */
export function tokenize(source: string): Token[] {
  return new Lexer(source).run();
}

class Lexer {
  private readonly src: string;
  private pos = 0;
  private readonly tokens: Token[] = [];
  /** Code-point column bookkeeping: `col` is the column of code-unit offset `colOffset`. */
  private colOffset = 0;
  private col = 1;

  constructor(source: string) {
    this.src = source;
  }

  run(): Token[] {
    const s = this.src;
    while (this.pos < s.length) {
      const c = s[this.pos];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') { this.pos++; continue; }
      const start = this.pos;
      const column = this.columnAt(start);
      if (isDigit(c) || (c === '.' && isDigit(s[start + 1] ?? ''))) this.number(column);
      else if (c === '"' || c === "'") this.tokens.push(this.quoted(start, start, column));
      else if (isIdentStart(c)) this.word(column);
      else if (s.startsWith('$meta', start) && !isIdentPart(s[start + 5] ?? '')) {
        this.pos += 5;
        this.tokens.push({ kind: 'ident', text: '$meta', column });
      } else this.symbol(column);
    }
    this.tokens.push({ kind: 'eof', text: '', column: this.columnAt(s.length) });
    return this.tokens;
  }

  /** 1-based column, in code points, of code-unit offset `offset` (offsets only move forward). */
  private columnAt(offset: number): number {
    const s = this.src;
    for (let i = this.colOffset; i < offset; i++) {
      const u = s.charCodeAt(i);
      const isLowAfterHigh = u >= 0xdc00 && u <= 0xdfff && i > 0 && (s.charCodeAt(i - 1) & 0xfc00) === 0xd800;
      if (!isLowAfterHigh) this.col++;
    }
    this.colOffset = offset;
    return this.col;
  }

  private fail(column: number, detail: string): never {
    throw syntaxError(this.src, column, detail);
  }

  private word(column: number): void {
    const s = this.src;
    const start = this.pos;
    let end = start + 1;
    while (end < s.length && isIdentPart(s[end])) end++;
    const text = s.slice(start, end);
    const next = s[end];
    if ((next === '"' || next === "'") && (ENCODING_PREFIXES.has(text) || text === 'r' || text === 'R')) {
      this.tokens.push(text === 'r' || text === 'R' ? this.raw(start, end, column) : this.quoted(start, end, column));
      return;
    }
    this.pos = end;
    const keyword = KEYWORDS.get(text);
    const bool = BOOLEANS.get(text);
    if (keyword !== undefined) this.tokens.push({ kind: 'keyword', word: keyword, text, column });
    else if (bool !== undefined) this.tokens.push({ kind: 'bool', value: bool, text, column });
    else this.tokens.push({ kind: 'ident', text, column });
  }

  private symbol(column: number): void {
    const s = this.src;
    const sym = SYMBOLS.find((x) => s.startsWith(x, this.pos));
    if (sym === undefined) {
      const cp = String.fromCodePoint(s.codePointAt(this.pos) ?? 0);
      this.fail(column, `found ${JSON.stringify(cp)}, which is not a valid character in a filter`);
    }
    this.pos += sym.length;
    const keyword = KEYWORDS.get(sym);
    if (keyword !== undefined) this.tokens.push({ kind: 'keyword', word: keyword, text: sym, column });
    else this.tokens.push({ kind: 'symbol', text: sym, column });
  }

  private number(column: number): void {
    const s = this.src;
    const start = this.pos;
    const radix = s[start] === '0' ? (s[start + 1] ?? '').toLowerCase() : '';
    if (radix === 'x' || radix === 'o' || radix === 'b') {
      const ok = radix === 'x' ? isHexDigit : radix === 'o' ? (c: string) => c >= '0' && c <= '7' : (c: string) => c === '0' || c === '1';
      let end = start + 2;
      while (end < s.length && ok(s[end])) end++;
      this.pos = end;
      const text = s.slice(start, end);
      if (end === start + 2 || isIdentPart(s[end] ?? '') || s[end] === '.') this.badNumber(start, column);
      this.tokens.push({ kind: 'int', value: BigInt(text), text, column });
      return;
    }
    let end = start;
    while (end < s.length && isDigit(s[end])) end++;
    let isFloat = false;
    if (s[end] === '.') {
      isFloat = true;
      end++;
      while (end < s.length && isDigit(s[end])) end++;
    }
    if (s[end] === 'e' || s[end] === 'E') {
      let e = end + 1;
      if (s[e] === '+' || s[e] === '-') e++;
      if (!isDigit(s[e] ?? '')) { this.pos = e; this.badNumber(start, column); }
      while (e < s.length && isDigit(s[e])) e++;
      end = e;
      isFloat = true;
    }
    this.pos = end;
    if (isIdentPart(s[end] ?? '') || s[end] === '.') this.badNumber(start, column);
    const text = s.slice(start, end);
    if (isFloat) {
      this.tokens.push({ kind: 'float', value: Number(text), text, column });
    } else if (text.length > 1 && text[0] === '0') {
      // Plan.g4 OctalConstant: '0' OctalDigit*.
      if (!/^[0-7]+$/.test(text)) this.fail(column, `found '${text}', which is not a valid number (a leading 0 means octal, digits 0-7)`);
      this.tokens.push({ kind: 'int', value: BigInt(`0o${text.slice(1)}`), text, column });
    } else {
      this.tokens.push({ kind: 'int', value: BigInt(text), text, column });
    }
  }

  private badNumber(start: number, column: number): never {
    const s = this.src;
    let end = Math.max(this.pos, start + 1);
    while (end < s.length && (isIdentPart(s[end]) || s[end] === '.')) end++;
    return this.fail(column, `found '${s.slice(start, end)}', which is not a valid number`);
  }

  /** A quoted string whose prefix (if any) spans `start..quote`; decodes escapes. */
  private quoted(start: number, quote: number, column: number): Token {
    const s = this.src;
    const q = s[quote];
    let out = '';
    let i = quote + 1;
    let chunk = i;
    for (;;) {
      if (i >= s.length || s[i] === '\n' || s[i] === '\r') this.fail(column, 'found a string that is not closed before the end of the line');
      const c = s[i];
      if (c === q) break;
      if (c !== '\\') { i++; continue; }
      out += s.slice(chunk, i);
      const [decoded, next] = this.escape(i);
      out += decoded;
      i = next;
      chunk = i;
    }
    out += s.slice(chunk, i);
    this.pos = i + 1;
    return { kind: 'string', value: out, text: s.slice(start, this.pos), column };
  }

  /** Decodes the escape sequence at `s[i] === '\\'`: returns the text and the offset after it. */
  private escape(i: number): [string, number] {
    const s = this.src;
    const e = s[i + 1] ?? '';
    const simple = SIMPLE_ESCAPES.get(e);
    if (simple !== undefined) return [simple, i + 2];
    const hexRun = (from: number, count: number): number | undefined => {
      const digits = s.slice(from, from + count);
      return digits.length === count && [...digits].every(isHexDigit) ? parseInt(digits, 16) : undefined;
    };
    let code: number | undefined;
    let next = i + 2;
    if (e >= '0' && e <= '7') {
      while (next < i + 4 && s[next] >= '0' && s[next] <= '7') next++;
      code = parseInt(s.slice(i + 1, next), 8);
      if (code > 0xff) code = undefined;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const count = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      code = hexRun(i + 2, count);
      next = i + 2 + count;
      if (code !== undefined && (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))) code = undefined;
    }
    if (code === undefined) {
      const shown = s.slice(i, Math.min(Math.max(next, i + 2), s.length));
      this.fail(this.columnAt(i), `found the escape sequence '${shown}', which is not valid ` +
        "(allowed: \\' \\\" \\? \\\\ \\a \\b \\f \\n \\r \\t \\v, \\ooo octal up to \\377, \\xHH, \\uHHHH, \\UHHHHHHHH)");
    }
    return [String.fromCodePoint(code), next];
  }

  /** A raw string `r"…"`: backslashes are kept; a backslash before the quote keeps it from closing. */
  private raw(start: number, quote: number, column: number): Token {
    const s = this.src;
    const q = s[quote];
    let i = quote + 1;
    for (;;) {
      if (i >= s.length || s[i] === '\n' || s[i] === '\r') this.fail(column, 'found a string that is not closed before the end of the line');
      if (s[i] === q) break;
      i += s[i] === '\\' && s[i + 1] !== '\n' && s[i + 1] !== '\r' && i + 1 < s.length ? 2 : 1;
    }
    this.pos = i + 1;
    return { kind: 'string', value: s.slice(quote + 1, i), text: s.slice(start, this.pos), column };
  }
}
