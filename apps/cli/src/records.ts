/** Renders gateway admin listings, tolerant of extra or missing fields. */
import { formatTable } from "./output.js";
import { printable } from "./printable.js";

/** The array inside `{ users: [...] }`-style answers (or the answer itself when it is an array). */
export function recordsOf(answer: unknown, key: string): Record<string, unknown>[] {
  const list = Array.isArray(answer) ? answer : (answer as Record<string, unknown> | null)?.[key];
  return Array.isArray(list) ? (list as Record<string, unknown>[]) : [];
}

/** One table cell, printable (a list of grants as `role(app,app)`). */
export function cellOf(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return printable(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) {
    return value
      .map((item) => {
        const grant = item as { role?: string; permissions?: string[]; apps?: string[] } | null;
        if (grant && typeof grant === "object" && ("role" in grant || "permissions" in grant)) {
          const what = grant.role ?? (grant.permissions ?? []).join(",");
          return printable(grant.apps ? `${what}(${grant.apps.join(",")})` : what);
        }
        return cellOf(item);
      })
      .join(" ");
  }
  // JSON escapes C0 controls but not DEL, C1, line separators or bidi overrides.
  return printable(JSON.stringify(value));
}

/** A table of `columns` (field names; a header may differ: `["grants", "roles"]`). */
export function formatRecords(
  records: readonly Record<string, unknown>[],
  columns: readonly (string | readonly [string, string])[],
): string {
  const fields = columns.map((column) => (typeof column === "string" ? [column, column] : column));
  return formatTable(
    fields.map(([, header]) => header ?? ""),
    records.map((record) => fields.map(([field]) => cellOf(record[field ?? ""]))),
  );
}
