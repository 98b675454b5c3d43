/**
 * The rack's own password must never reach a client: with it, anyone can skip the gateway (no authorization, no
 * audit). Routes that would answer with it are refused by policy (external builds, `POST /system/jwt/token`), but a
 * rack can echo its credentials in places no policy foresaw (a build's repository URL, an error message, a log
 * line). So every proxied answer passes through a scrubber that overwrites the password, in each spelling the rack
 * or a client would use, with `*` of the same length: the answer keeps its length (Content-Length stays right) and
 * loses the secret.
 */
import type { Readable, Writable } from "node:stream";

/** Shorter strings would match ordinary text; a real rack password is a long random string. */
const MIN_SCRUBBED_LENGTH = 8;
const STAR = 0x2a;

/** The spellings of the rack's password worth looking for: as is, URL-escaped, and inside Basic credentials. */
export function rackCredentialPatterns(password: string): Buffer[] {
  if (password.length < MIN_SCRUBBED_LENGTH) return [];
  const spellings = [
    password,
    encodeURIComponent(password),
    Buffer.from(`convox:${encodeURIComponent(password)}`).toString("base64"),
    Buffer.from(`convox:${password}`).toString("base64"),
  ];
  return [...new Set(spellings)].map((spelling) => Buffer.from(spelling, "utf8"));
}

/** Overwrites every occurrence of the patterns in `data` in place; returns how many it overwrote. */
export function scrubInPlace(data: Buffer, patterns: readonly Buffer[]): number {
  let found = 0;
  for (const pattern of patterns) {
    for (let at = data.indexOf(pattern); at >= 0; at = data.indexOf(pattern, at + pattern.length)) {
      data.fill(STAR, at, at + pattern.length);
      found++;
    }
  }
  return found;
}

/** The longest end of `data` that begins some pattern (a password that may continue in the next chunk). */
function pendingPrefixLength(data: Buffer, patterns: readonly Buffer[]): number {
  let longest = 0;
  for (const pattern of patterns) {
    const first = pattern[0];
    for (let length = Math.min(pattern.length - 1, data.length); length > longest; length--) {
      const start = data.length - length;
      if (data[start] === first && data.compare(pattern, 0, length, start) === 0) {
        longest = length;
        break;
      }
    }
  }
  return longest;
}

/**
 * One step of scrubbing a stream: `chunk` after what was held back from the previous one, scrubbed in place, split
 * into what may go out now and the end that could begin a password (held for the next chunk).
 */
function scrubStep(
  held: Buffer | null,
  chunk: Buffer,
  patterns: readonly Buffer[],
  onFound: (occurrences: number) => void,
): { ready: Buffer; held: Buffer | null } {
  // The chunk is the stream's own (a fresh read from the rack's socket), so it is overwritten in place.
  const data = held === null ? chunk : Buffer.concat([held, chunk]);
  const found = scrubInPlace(data, patterns);
  if (found > 0) onFound(found);
  const pending = pendingPrefixLength(data, patterns);
  if (pending === 0) return { ready: data, held: null };
  return { ready: data.subarray(0, data.length - pending), held: data.subarray(data.length - pending) };
}

/**
 * Pipes `source` into `destination`, scrubbing as it goes, with the backpressure of `pipe`. Only an end of a chunk
 * that could begin a password is held back (until the next chunk, or the end); an ordinary answer goes out in one
 * write as with `pipe`, so the common case costs one search per chunk and nothing else.
 */
export function pipeScrubbed(
  source: Readable,
  destination: Writable,
  patterns: readonly Buffer[],
  onFound: (occurrences: number) => void,
): void {
  let carry: Buffer | null = null;
  source.on("data", (chunk: Buffer) => {
    const step = scrubStep(carry, chunk, patterns, onFound);
    carry = step.held;
    const { ready } = step;
    if (ready.length > 0 && !destination.write(ready)) {
      source.pause();
      destination.once("drain", () => source.resume());
    }
  });
  source.once("end", () => {
    // Whole occurrences in the carry were overwritten when it arrived; what is left is an unfinished prefix.
    if (carry !== null) destination.end(carry);
    else destination.end();
  });
}

export interface FrameScrubber {
  /** Scrubs a frame and sends it (perhaps with the held end of the one before, perhaps holding back its own end). */
  push(data: Buffer, binary: boolean): void;
  /** Sends whatever is held back, as a frame of its own. */
  flush(): void;
}

/**
 * The websocket counterpart of `pipeScrubbed`: output is chunked into frames at arbitrary points, so a password may
 * straddle two frames. The end of a frame that could begin a password is held back and sent in front of the next
 * frame of the same kind — or on its own after `holdMs` (so interactive output never stalls), or before a frame that
 * must stay as it is (`keepWhole`: the empty EOF frame, the exit-code frame).
 */
export function createFrameScrubber(options: {
  patterns: readonly Buffer[];
  onFound: (occurrences: number) => void;
  send: (data: Buffer, binary: boolean) => void;
  keepWhole: (data: Buffer, binary: boolean) => boolean;
  holdMs: number;
}): FrameScrubber {
  const { patterns } = options;
  let held: { data: Buffer; binary: boolean } | null = null;
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (held === null) return;
    const { data, binary } = held;
    held = null;
    options.send(data, binary);
  };
  return {
    flush,
    push(frame, binary) {
      if (patterns.length === 0) {
        options.send(frame, binary);
        return;
      }
      if (options.keepWhole(frame, binary)) {
        flush();
        options.send(frame, binary);
        return;
      }
      // A held end joins only a frame of its own kind; before any other it goes out alone.
      if (held !== null && held.binary !== binary) flush();
      if (timer) clearTimeout(timer);
      timer = null;
      const step = scrubStep(held?.data ?? null, frame, patterns, options.onFound);
      held = step.held === null ? null : { data: step.held, binary };
      if (held !== null) timer = setTimeout(flush, options.holdMs);
      if (step.ready.length > 0) options.send(step.ready, binary);
    },
  };
}
