import { MemoryDisk } from '@shoal/actors';
import type { AppendFile } from '@shoal/actors';

// Test helpers shared by the RaftGroup tests (group-*.test.ts).

/** A MemoryDisk that counts fsyncs, can hold them in flight forever, or make them fail. */
export class TestDisk extends MemoryDisk {
  syncs = 0;
  hold = false;
  failSync = false;
  override async openAppend(path: string): Promise<AppendFile> {
    const f = await super.openAppend(path);
    const disk = this as TestDisk;
    return {
      get size() { return f.size; },
      append: (d) => f.append(d),
      sync: async () => {
        if (disk.failSync) throw new Error('EIO: injected sync failure');
        if (disk.hold) return new Promise<void>(() => undefined);
        disk.syncs++;
        return f.sync();
      },
      truncate: (n) => f.truncate(n),
      close: () => f.close(),
    };
  }
}
