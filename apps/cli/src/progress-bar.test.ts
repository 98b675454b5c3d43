import { describe, expect, it } from "vitest";
import { createProgressBar, formatBytes, renderProgress } from "./index.js";

describe("upload progress bar", () => {
  it.each([
    [0, "1.0 KiB", "up [>         ]   0% 0 B/1.0 KiB"],
    [512, "", "up [=====>    ]  50% 512 B/1.0 KiB"],
    [1024, "", "up [==========] 100% 1.0 KiB/1.0 KiB"],
    [4096, "", "up [==========] 100% 1.0 KiB/1.0 KiB"],
  ])("renders %i of 1024 bytes", (sent, _unused, expected) => {
    expect(renderProgress("up", sent, 1024, 10)).toBe(expected);
  });

  it("formats sizes", () => {
    expect([1023, 1024, 1536, 5 * 1024 * 1024, 3 * 1024 ** 3].map(formatBytes)).toEqual([
      "1023 B",
      "1.0 KiB",
      "1.5 KiB",
      "5.0 MiB",
      "3.0 GiB",
    ]);
  });

  it("redraws in place on a terminal, and prints a line per quarter otherwise", () => {
    const tty: string[] = [];
    const bar = createProgressBar({
      totalBytes: 100,
      label: "up",
      write: (t) => tty.push(t),
      isTTY: true,
      width: 4,
    });
    bar.update(50);
    bar.finish();
    bar.finish();
    expect(tty).toEqual(["\rup [==> ]  50% 50 B/100 B", "\rup [====] 100% 100 B/100 B", "\n"]);

    const lines: string[] = [];
    const plain = createProgressBar({
      totalBytes: 100,
      label: "up",
      write: (t) => lines.push(t),
      isTTY: false,
      width: 4,
    });
    // Updates every 10 bytes: a line at 0 and at the first update past each quarter.
    for (let sent = 0; sent <= 100; sent += 10) plain.update(sent);
    plain.finish();
    expect(lines.map((line) => /(\d+%)/.exec(line)?.[1])).toEqual(["0%", "30%", "50%", "80%", "100%"]);
  });
});
