import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveRandom, exponential } from '../src/random-tree.ts';
import { Trace } from '../src/trace.ts';

describe('Trace', () => {
  it('hashes every line (SHA-256 of the lines, each ending in a newline) and keeps a tail', () => {
    const t = new Trace({ tailSize: 3 });
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const at = Math.floor(i / 3) * 1.5; // several lines per instant, as in a run
      const node = ['n1', '-', 'n12'][i % 3];
      t.record(at, node, 'kind', `detail ${i} ${'x'.repeat(i % 40)}`);
      lines.push(`${at.toFixed(3).padStart(11)} ${node.padEnd(7)} kind detail ${i} ${'x'.repeat(i % 40)}`);
      if (i === 10) expect(t.digest()).toBe(createHash('sha256').update(lines.map((l) => `${l}\n`).join('')).digest('hex'));
    }
    expect(t.count).toBe(5000);
    expect(t.digest()).toBe(createHash('sha256').update(lines.map((l) => `${l}\n`).join('')).digest('hex'));
    expect(t.tail()).toEqual(lines.slice(-3));
    expect(() => t.all()).toThrow(/keepAll/);
    expect(() => new Trace({ tailSize: 0 })).toThrow(RangeError);
  });
});

describe('deriveRandom', () => {
  it('gives the same stream for the same seed and path, and independent streams otherwise', () => {
    const draw = (r: ReturnType<typeof deriveRandom>) => Array.from({ length: 8 }, () => r.nextU32());
    expect(draw(deriveRandom(5, 'node', 'n1', 0))).toEqual(draw(deriveRandom(5, 'node', 'n1', 0)));
    expect(draw(deriveRandom(5, 'node', 'n1', 0))).not.toEqual(draw(deriveRandom(5, 'node', 'n1', 1)));
    expect(draw(deriveRandom(5, 'network'))).not.toEqual(draw(deriveRandom(6, 'network')));
    expect(() => deriveRandom(1.5, 'x')).toThrow(RangeError);
  });

  it('samples the exponential distribution with the requested mean', () => {
    const r = deriveRandom(1, 'exp');
    let sum = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) sum += exponential(r, 4);
    expect(sum / n).toBeGreaterThan(4 * 0.97); // standard error of the mean: 4 / sqrt(n) ≈ 0.018
    expect(sum / n).toBeLessThan(4 * 1.03);
  });
});
