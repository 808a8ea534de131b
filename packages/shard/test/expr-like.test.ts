import { describe, expect, it } from 'vitest';
import { likeMatcher, likeRegExp, planLike } from '../src/expr/like.ts';

describe('like patterns', () => {
  it('chooses equality, prefix, suffix and substring matching for the simple forms', () => {
    expect(planLike('abc')).toEqual({ kind: 'exact', text: 'abc' });
    expect(planLike('abc%')).toEqual({ kind: 'prefix', text: 'abc' });
    expect(planLike('abc%%')).toEqual({ kind: 'prefix', text: 'abc' });
    expect(planLike('%abc')).toEqual({ kind: 'suffix', text: 'abc' });
    expect(planLike('%abc%')).toEqual({ kind: 'infix', text: 'abc' });
    expect(planLike('a\\%%')).toEqual({ kind: 'prefix', text: 'a%' });
    expect(planLike('\\_x')).toEqual({ kind: 'exact', text: '_x' });
    expect(planLike('%')).toEqual({ kind: 'suffix', text: '' });
    expect(planLike('a%b').kind).toBe('regex');
    expect(planLike('a_').kind).toBe('regex');
  });

  it('matches % across any characters (newlines too) and _ as one code point', () => {
    const m = (p: string, s: string) => likeMatcher(p)(s);
    expect(m('a%b', 'a\nxb')).toBe(true);
    expect(m('_', '😀')).toBe(true);
    expect(m('__', '😀')).toBe(false);
    expect(m('a.c', 'abc')).toBe(false);
    expect(m('a.c', 'a.c')).toBe(true);
    expect(m('(x)%', '(x)y')).toBe(true);
    expect(m('a\\\\b', 'a\\b')).toBe(true);
    expect(m('%\\%', '50%')).toBe(true);
    expect(m('%\\%', '50')).toBe(false);
    expect(likeRegExp('a_c%').source).toBe('^a.c.*$');
  });
});
