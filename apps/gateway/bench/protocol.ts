/** The IPC messages between the benchmark and its child processes (bench-child.ts). */

export type ChildRole = "rack" | "bare" | "gateway";

/** Parent → child. */
export type ParentMessage = { type: "rss-start" } | { type: "rss-stop" } | { type: "stop" };

/** Child → parent. */
export type ChildMessage =
  | {
      type: "ready";
      url: string;
      /** Gateway only: API tokens created for the load (viewer for reads, deployer for uploads). */
      tokens?: { viewer: string; deployer: string };
    }
  | { type: "rss-started" }
  | { type: "rss"; baselineBytes: number; peakBytes: number; samples: number }
  | { type: "stopped" }
  | { type: "failed"; message: string };
