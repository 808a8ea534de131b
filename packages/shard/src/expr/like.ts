/**
 * Milvus `like` patterns (docs "Basic Operators"; `translatePatternMatch` in
 * `internal/parser/planparserv2/utils.go`): `%` matches any run of characters (also none), `_`
 * exactly one character (one Unicode code point), a backslash makes the next character literal
 * (`\%`, `\_`, `\\`). Patterns of the forms `abc`, `abc%`, `%abc`, `%abc%` are matched without a
 * regular expression (equality, prefix, suffix, substring).
 */

/** How a pattern is matched: the fast forms, or a regular expression. */
export type LikePlan =
  | { kind: 'exact' | 'prefix' | 'suffix' | 'infix'; text: string }
  | { kind: 'regex'; regex: RegExp };

type Token = { wild: '%' | '_' } | { text: string };

function tokens(pattern: string): Token[] {
  const out: Token[] = [];
  const chars = Array.from(pattern);
  for (let k = 0; k < chars.length; k++) {
    const c = chars[k];
    if (c === '\\' && k + 1 < chars.length) out.push({ text: chars[++k] });
    else if (c === '%' || c === '_') out.push({ wild: c });
    else out.push({ text: c });
  }
  return out;
}

/** The regular expression (anchored, `u` and `s` flags) equivalent to a `like` pattern. */
export function likeRegExp(pattern: string): RegExp {
  const body = tokens(pattern).map((t) => ('wild' in t ? (t.wild === '%' ? '.*' : '.')
    : t.text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 'us');
}

/** Chooses the cheapest way to match `pattern` (see the file comment). */
export function planLike(pattern: string): LikePlan {
  const ts = tokens(pattern);
  if (ts.some((t) => 'wild' in t && t.wild === '_')) return { kind: 'regex', regex: likeRegExp(pattern) };
  let lead = 0;
  while (lead < ts.length && 'wild' in ts[lead]) lead++;
  let trail = ts.length;
  while (trail > lead && 'wild' in ts[trail - 1]) trail--;
  const middle = ts.slice(lead, trail);
  if (middle.some((t) => 'wild' in t)) return { kind: 'regex', regex: likeRegExp(pattern) };
  const text = middle.map((t) => (t as { text: string }).text).join('');
  const kind = lead > 0 ? (trail < ts.length ? 'infix' : 'suffix') : trail < ts.length ? 'prefix' : 'exact';
  return { kind, text };
}

/** A predicate testing a string against `pattern` by its {@link planLike} plan. */
export function likeMatcher(pattern: string): (s: string) => boolean {
  const plan = planLike(pattern);
  switch (plan.kind) {
    case 'exact': { const t = plan.text; return (s) => s === t; }
    case 'prefix': { const t = plan.text; return (s) => s.startsWith(t); }
    case 'suffix': { const t = plan.text; return (s) => s.endsWith(t); }
    case 'infix': { const t = plan.text; return (s) => s.includes(t); }
    case 'regex': { const r = plan.regex; return (s) => r.test(s); }
  }
}
