/**
 * Fetch Metadata (`Sec-Fetch-Site`): browsers label every request with where it came from, and non-browser
 * clients (the convox CLI, our CLI, CI) never send the header. A browser that cached Basic credentials for the
 * gateway (it answers 401 with a Basic challenge) must not let other sites use them: both the rack proxy and the
 * gateway's own API refuse a request a browser marks as coming from elsewhere.
 */

/** True for a browser request from another site (`cross-site`, or `same-site`: a sibling subdomain is not us). */
export function isFromAnotherSite(fetchSite: string | string[] | undefined): boolean {
  return fetchSite !== undefined && fetchSite !== "same-origin" && fetchSite !== "none";
}

/** The audit reason for such a refusal. */
export function anotherSiteReason(fetchSite: string | string[] | undefined): string {
  return `refused a browser request from another site (Sec-Fetch-Site: ${String(fetchSite).slice(0, 40)})`;
}
