/** Samples this process's resident set size every 50 ms to find the peak during one measured operation. */

export interface RssSampler {
  stop(): { baselineBytes: number; peakBytes: number; samples: number };
}

export const RSS_SAMPLE_INTERVAL_MS = 50;

export function startRssSampler(): RssSampler {
  const baselineBytes = process.memoryUsage.rss();
  let peakBytes = baselineBytes;
  let samples = 1;
  const sample = () => {
    peakBytes = Math.max(peakBytes, process.memoryUsage.rss());
    samples += 1;
  };
  const timer = setInterval(sample, RSS_SAMPLE_INTERVAL_MS);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { baselineBytes, peakBytes, samples };
    },
  };
}
