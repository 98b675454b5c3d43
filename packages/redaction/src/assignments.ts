// "name=value", "name: value" and "\"name\": \"value\"" inside free text (log lines, connection strings,
// JSON kept in a string, header dumps): when the name is sensitive, the value is replaced in place.

// The name starts at the edge of a run of name characters, so each run is tried once (linear scan).
const ASSIGNMENT = /(?<![\w.-])([\w.-]+)(\\{0,8}["'])?[ \t]{0,16}([:=])[ \t]{0,16}/g;

const BARE_END_AFTER_EQUALS = /[\s"'&;,<>)}\\]/;
const BARE_END_AFTER_JSON_COLON = /[\s"',}\]\\]/;

const AUTH_SCHEME_WORD = /^(?:bearer|basic|token|digest|negotiate|ntlm)$/i;

interface ValueSpan {
  readonly start: number;
  readonly end: number;
}

function findLineEnd(text: string, from: number): number {
  let end = from;
  while (end < text.length && text[end] !== "\n" && text[end] !== "\r") end++;
  while (end > from && (text[end - 1] === " " || text[end - 1] === "\t")) end--;
  return end;
}

function findQuotedEnd(text: string, start: number, quote: string, escaped: boolean): number {
  let index = start;
  while (index < text.length) {
    const char = text[index];
    if (char === "\n" || char === "\r") return index;
    if (escaped) {
      // Inside JSON kept in a string the closing quote is itself escaped: stop before its backslashes.
      if (char === quote && text[index - 1] === "\\") {
        let end = index;
        while (end > start && text[end - 1] === "\\") end--;
        return end;
      }
    } else if (char === "\\") {
      index++;
    } else if (char === quote) {
      return index;
    }
    index++;
  }
  return text.length;
}

function findValue(text: string, from: number, separator: string, nameQuoted: boolean): ValueSpan {
  let index = from;
  while (index < text.length && index - from < 8 && text[index] === "\\") index++;
  const char = text[index];
  if (char === '"' || char === "'") {
    const start = index + 1;
    return { start, end: findQuotedEnd(text, start, char, index > from) };
  }
  if (separator === ":" && !nameQuoted) {
    // Header and YAML style ("Authorization: Basic dXNlcjpwYXNz"): the value runs to the end of the line.
    return { start: from, end: findLineEnd(text, from) };
  }
  const stop = separator === ":" ? BARE_END_AFTER_JSON_COLON : BARE_END_AFTER_EQUALS;
  let end = from;
  while (end < text.length && !stop.test(text[end] as string)) end++;
  if (AUTH_SCHEME_WORD.test(text.slice(from, end))) {
    // "authorization=Bearer abc": the credential is the word after the scheme, so take it too.
    let next = end;
    while (text[next] === " " || text[next] === "\t") next++;
    let wordEnd = next;
    while (wordEnd < text.length && !stop.test(text[wordEnd] as string)) wordEnd++;
    // …unless that word is the next assignment ("token_type=bearer expires_in=3600").
    if (next > end && !/=[^=]/.test(text.slice(next, wordEnd))) end = wordEnd;
  }
  return { start: from, end };
}

export function replaceAssignments(
  text: string,
  replacement: string,
  isSensitive: (name: string) => boolean,
): string {
  if (!text.includes("=") && !text.includes(":")) return text;
  const regex = new RegExp(ASSIGNMENT.source, "g");
  let result = "";
  let cursor = 0;
  for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
    const [whole, name = "", nameQuote, separator = "="] = match;
    const afterSeparator = match.index + whole.length;
    if (!isSensitive(name)) {
      // Continue right after the separator so "a=password=x" still finds the second name.
      regex.lastIndex = afterSeparator;
      continue;
    }
    const { start, end } = findValue(text, afterSeparator, separator, nameQuote !== undefined);
    // Leave an earlier redaction alone so redacting twice changes nothing.
    const alreadyRedacted = text.startsWith(replacement, start) && end <= start + replacement.length;
    if (end > start && !alreadyRedacted) {
      result += text.slice(cursor, start) + replacement;
      cursor = end;
    }
    regex.lastIndex = Math.max(end, afterSeparator);
  }
  return result + text.slice(cursor);
}
