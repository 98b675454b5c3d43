/** Plain output: aligned tables like convox's, durations, and JSON for `--json`. */
import { printable } from "./printable.js";

/**
 * Columns padded to the widest cell, upper-case headers, two spaces apart (convox's layout). Cells come from the
 * gateway or the rack, so each is shown with {@link printable}: no control character reaches the terminal.
 */
export function formatTable(headers: readonly string[], rawRows: readonly (readonly string[])[]): string {
  const rows = rawRows.map((row) => row.map(printable));
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  return `${[line(headers.map((header) => printable(header.toUpperCase()))), ...rows.map(line)].join("\n")}\n`;
}

/** "3 minutes ago", "in 2 hours" from an ISO time. */
export function formatRelative(iso: string | null | undefined, now: Date): string {
  if (!iso) return "";
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  const seconds = Math.round((time - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  const [value, unit] =
    abs < 60
      ? [abs, "second"]
      : abs < 3600
        ? [Math.floor(abs / 60), "minute"]
        : abs < 86_400
          ? [Math.floor(abs / 3600), "hour"]
          : [Math.floor(abs / 86_400), "day"];
  const text = `${value} ${unit}${value === 1 ? "" : "s"}`;
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}

export const formatJson = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
