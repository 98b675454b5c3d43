/** Finding the end of the audit log through the paged API (`after_seq`), without reading it all. */
import type { GatewayApi } from "./gateway-api.js";

/**
 * The highest `seq` in the log (0 when empty), in O(log n) one-record requests: a page after `x` is non-empty
 * exactly when `x` is below the last seq, so probe doubling values, then bisect.
 */
export async function findLastAuditSeq(api: Pick<GatewayApi, "listAuditEvents">): Promise<number> {
  const after = async (seq: number) =>
    (await api.listAuditEvents({ afterSeq: seq, limit: 1 })).records.length > 0;
  if (!(await after(0))) return 0;
  let below = 0;
  let atOrAbove = 1;
  while (await after(atOrAbove)) {
    below = atOrAbove;
    atOrAbove *= 2;
  }
  while (atOrAbove - below > 1) {
    const middle = Math.floor((below + atOrAbove) / 2);
    if (await after(middle)) below = middle;
    else atOrAbove = middle;
  }
  return atOrAbove;
}
