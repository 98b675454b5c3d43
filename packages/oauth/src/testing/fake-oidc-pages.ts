import type { FakeOidcUser } from "./fake-oidc-model.js";

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** The account picker shown when no user is auto-selected: one POST form (button) per user. */
export function renderUserPicker(
  requestId: string,
  clientId: string,
  users: readonly FakeOidcUser[],
): string {
  const items = users
    .map(
      (user) => `<li><form method="post" action="/authorize/select">
<input type="hidden" name="request" value="${escapeHtml(requestId)}">
<input type="hidden" name="email" value="${escapeHtml(user.email)}">
<button type="submit" data-email="${escapeHtml(user.email)}">${escapeHtml(user.name)} &lt;${escapeHtml(user.email)}&gt;</button>
</form></li>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fake OIDC provider — choose an account</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto}ul{list-style:none;padding:0}
li{margin:.5rem 0}button{width:100%;padding:.75rem;font-size:1rem;text-align:left;cursor:pointer}</style></head>
<body><h1>Choose an account</h1><p>to continue to <code>${escapeHtml(clientId)}</code> (fake OIDC provider, test and demo only)</p>
<ul>
${items}
</ul></body></html>`;
}

/** A plain error page for requests that must not be redirected (unknown client or redirect URI). */
export function renderErrorPage(message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fake OIDC provider — error</title></head>
<body><h1>Sign-in error</h1><p>${escapeHtml(message)}</p></body></html>`;
}
