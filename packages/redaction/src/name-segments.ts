// Splits a field, header or env name into lowercase word segments so "key" can match API_KEY, apiKey and
// APIKey but not MONKEY or KEYBOARD_LAYOUT.

/** A name cut into lowercase word segments, with their concatenation and where each segment starts in it. */
export interface SegmentedName {
  readonly segments: readonly string[];
  readonly compact: string;
  readonly starts: ReadonlySet<number>;
  readonly ends: ReadonlySet<number>;
}

const OTHER = 0;
const LOWER = 1;
const UPPER = 2;
const DIGIT = 3;

function kindOf(code: number): number {
  if (code >= 97 && code <= 122) return LOWER;
  if (code >= 65 && code <= 90) return UPPER;
  if (code >= 48 && code <= 57) return DIGIT;
  // Non-ASCII letters stay inside their segment; every other ASCII character separates segments.
  return code > 127 ? LOWER : OTHER;
}

export function segmentName(name: string): SegmentedName {
  const segments: string[] = [];
  let current = "";
  let previous = OTHER;
  const flush = (): void => {
    if (current !== "") segments.push(current.toLowerCase());
    current = "";
  };
  for (let index = 0; index < name.length; index++) {
    const char = name[index] as string;
    const kind = kindOf(name.charCodeAt(index));
    if (kind === OTHER) {
      flush();
      previous = OTHER;
      continue;
    }
    if (previous !== OTHER && previous !== kind) {
      if (previous === LOWER && kind === UPPER) flush();
      else if (previous === DIGIT || kind === DIGIT) flush();
      else if (previous === UPPER && kind === LOWER && current.length > 1) {
        // "APIKey": the last capital starts the next word.
        const head = current.slice(0, -1);
        const last = current.slice(-1);
        current = head;
        flush();
        current = last;
      }
    }
    current += char;
    previous = kind;
  }
  flush();
  const starts = new Set<number>();
  const ends = new Set<number>();
  let offset = 0;
  for (const segment of segments) {
    starts.add(offset);
    offset += segment.length;
    ends.add(offset);
  }
  return { segments, compact: segments.join(""), starts, ends };
}

/** True when `term` equals one or more consecutive whole segments of the name. */
export function hasSegmentRun(name: SegmentedName, term: string): boolean {
  let from = name.compact.indexOf(term);
  while (from !== -1) {
    if (name.starts.has(from) && name.ends.has(from + term.length)) return true;
    from = name.compact.indexOf(term, from + 1);
  }
  return false;
}

/** True when `term` equals the last one or more whole segments of the name. */
export function hasTrailingRun(name: SegmentedName, term: string): boolean {
  const from = name.compact.length - term.length;
  return from >= 0 && name.compact.endsWith(term) && name.starts.has(from);
}
