import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fifo } from '../src/fifo.ts';

describe('Fifo', () => {
  it('behaves like an array queue for any sequence of push, shift and drain (incl. compaction)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), n: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({ kind: fc.constant('shift' as const), n: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({ kind: fc.constant('drain' as const), n: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 12 }), (ops) => {
        const q = new Fifo<number>();
        const model: number[] = [];
        let next = 0;
        for (const { kind, n } of ops) {
          if (kind === 'push') {
            for (let i = 0; i < n; i++) {
              q.push(next);
              model.push(next++);
            }
          } else if (kind === 'shift') {
            const got: (number | undefined)[] = [];
            const want: (number | undefined)[] = [];
            for (let i = 0; i < n; i++) {
              got.push(q.shift());
              want.push(model.shift());
            }
            expect(got).toEqual(want);
          } else {
            expect(q.drain()).toEqual(model.splice(0));
          }
          expect(q.length).toBe(model.length);
        }
      }),
      { numRuns: 200 },
    );
  });
});
