import { test } from "node:test";
import assert from "node:assert/strict";
import { formatRate, formatSize, progressLine, ProgressMeter } from "./progress_meter.ts";

test("sizes and rates as OpenSSH's progress meter writes them", () => {
  assert.deepEqual(
    [0, 9999, 10000, 67108864, 5 * 1024 ** 4].map(formatSize),
    ["   0  ", "9999  ", "  10KB", "  64MB", "5120GB"],
  );
  assert.deepEqual([0, 1536, 304_500_000].map(formatRate), ["  0.0KB", "  1.5KB", "290.4MB"]);
});

test("lines match OpenSSH 9.2's, byte for byte (recorded from sftp on an 80-column terminal)", () => {
  const base = { name: "src64", total: 67108864, seconds: 0, stalled: 0, width: 80 };
  assert.equal(
    progressLine({ ...base, position: 0, rate: 0 }),
    "src64                                           0%    0     0.0KB/s   --:-- ETA",
  );
  assert.equal(
    progressLine({ ...base, position: 67108864, rate: 304_500_000 }),
    "src64                                         100%   64MB 290.4MB/s   00:00    ",
  );
  const stalled = progressLine({ ...base, position: 1 << 20, rate: 1 << 20, stalled: 6 });
  assert.ok(stalled.endsWith("  1% 1024KB   1.0MB/s - stalled -"), stalled);
  assert.match(progressLine({ ...base, position: 0, rate: 1000, total: 1e10 }), / 2777:46:40 $/);
});

test("the meter averages the rate, and ends with the total time and a newline", () => {
  let now = 0;
  const lines: string[] = [];
  const meter = new ProgressMeter("f", 0, 10_000_000, {
    write: (t) => lines.push(t),
    now: () => now,
    timer: false,
  });
  now = 1;
  meter.update(1_000_000);
  meter.refresh();
  now = 2;
  meter.update(3_000_000);
  meter.refresh();
  assert.ok(lines[1].startsWith("\rf "));
  assert.ok(lines[1].endsWith(" 10%  977KB 976.6KB/s   00:09 ETA"), lines[1]);
  // 0.9 × 1 MB/s + 0.1 × 2 MB/s = 1.1 MB/s
  assert.ok(lines[2].endsWith("30% 2930KB   1.1MB/s   00:06 ETA"), lines[2]);
  now = 4;
  meter.update(10_000_000);
  meter.finish();
  assert.ok(lines[3].endsWith("100% 9766KB   2.4MB/s   00:04    "), lines[3]);
  assert.equal(lines[4], "\n");
});
