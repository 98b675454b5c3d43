/** A small upload progress bar on stderr: redrawn in place on a terminal, a line per 25 % otherwise. */

export interface ProgressBarOptions {
  totalBytes: number;
  label: string;
  write: (text: string) => void;
  isTTY: boolean;
  /** Bar width in characters. Default 30. */
  width?: number;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** Renders one state of the bar: `label [=====>    ]  42% 1.2 MiB/2.9 MiB`. */
export function renderProgress(label: string, sentBytes: number, totalBytes: number, width = 30): string {
  const fraction = totalBytes <= 0 ? 1 : Math.min(1, sentBytes / totalBytes);
  const filled = Math.round(fraction * width);
  const bar = filled >= width ? "=".repeat(width) : `${"=".repeat(filled)}>${" ".repeat(width - filled - 1)}`;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `${label} [${bar}] ${percent} ${formatBytes(Math.min(sentBytes, totalBytes))}/${formatBytes(totalBytes)}`;
}

export function createProgressBar(options: ProgressBarOptions) {
  let lastQuarter = -1;
  let finished = false;
  const draw = (sentBytes: number) => {
    const text = renderProgress(options.label, sentBytes, options.totalBytes, options.width);
    if (options.isTTY) {
      options.write(`\r${text}`);
      return;
    }
    const quarter =
      options.totalBytes <= 0
        ? 4
        : Math.floor((Math.min(sentBytes, options.totalBytes) / options.totalBytes) * 4);
    if (quarter > lastQuarter) {
      lastQuarter = quarter;
      options.write(`${text}\n`);
    }
  };
  return {
    update(sentBytes: number): void {
      if (!finished) draw(sentBytes);
    },
    finish(): void {
      if (finished) return;
      draw(options.totalBytes);
      finished = true;
      if (options.isTTY) options.write("\n");
    },
  };
}
