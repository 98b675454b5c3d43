/**
 * Security headers from the hardening guide, on every response the gateway sends (API, proxy, pages).
 * HSTS only over TLS or behind a TLS-terminating load balancer in production; browsers ignore it on http.
 */
export function securityHeaders(options: { hsts: boolean }): Record<string, string> {
  const headers: Record<string, string> = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy":
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    // same-origin, not no-referrer: under no-referrer browsers send `Origin: null` on the gateway's own form
    // posts, which the CSRF Origin check must refuse. Other sites still receive no referrer at all.
    "Referrer-Policy": "same-origin",
    "X-XSS-Protection": "1; mode=block",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
  };
  if (options.hsts) headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains";
  return headers;
}
