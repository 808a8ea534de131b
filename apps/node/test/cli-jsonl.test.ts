import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ShoalError } from '@shoal/actors';
import { parseJsonlLine, parseJsonlLines, readJsonl } from '../src/cli/jsonl.ts';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('JSONL parsing', () => {
  it('parses an object per line, skips blank lines, keeps Int64 keys exact', () => {
    expect(parseJsonlLine('{"id": 1, "vector": [0.5, 2]}', 1)).toEqual({ id: 1, vector: [0.5, 2] });
    expect(parseJsonlLine('   ', 2)).toBeNull();
    expect(parseJsonlLine('{"id": 9007199254740993, "f": 1e300, "g": -12345678901234567890}', 3))
      .toEqual({ id: 9007199254740993n, f: 1e300, g: -12345678901234567890n });
  });

  it('names the line of invalid JSON, without V8\'s own one-line position', () => {
    let err: unknown;
    try {
      parseJsonlLine('{"id": 1, "vector": [1, 2', 42);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ShoalError);
    expect((err as ShoalError).code).toBe(ErrorCode.ImportFailed);
    expect((err as ShoalError).message).toMatch(/^line 42: invalid JSON \(/);
    expect((err as ShoalError).message).not.toMatch(/line 1 column/);
  });

  it('rejects lines that are JSON but not objects', () => {
    expect(() => parseJsonlLine('[1, 2]', 7)).toThrow('line 7: each line must be a JSON object (an entity row), got an array');
    expect(() => parseJsonlLine('null', 8)).toThrow('got null');
    expect(() => parseJsonlLine('"x"', 9)).toThrow('got string');
  });

  it('numbers lines from 1 counting blank ones', async () => {
    const lines = ['{"id": 1}', '', '{"id": 3}', '{"id": 4'];
    const gen = parseJsonlLines(lines);
    expect((await gen.next()).value).toEqual({ row: { id: 1 }, line: 1, bytes: 10 });
    expect((await gen.next()).value).toMatchObject({ row: { id: 3 }, line: 3 });
    await expect(gen.next()).rejects.toThrow(/^line 4: invalid JSON/);
  });

  it('streams a file with CRLF line ends and names the file and line of a bad row', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shoal-cli-jsonl-'));
    try {
      const good = join(dir, 'good.jsonl');
      await writeFile(good, '{"id": 1, "v": [1]}\r\n\r\n{"id": 2, "v": [2]}\r\n');
      expect((await collect(readJsonl(good))).map((r) => [r.line, r.row])).toEqual([[1, { id: 1, v: [1] }], [3, { id: 2, v: [2] }]]);
      const bad = join(dir, 'bad.jsonl');
      await writeFile(bad, '{"id": 1}\n{"id": 2}\n{"id": 3,}\n');
      await expect(collect(readJsonl(bad))).rejects.toThrow(`${bad} line 3: invalid JSON`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
