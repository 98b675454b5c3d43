/**
 * The sign-in pages the gateway serves itself: plain, accessible HTML with no script, no inline style and no
 * external resource (CSP `default-src 'self'`). Every interpolated value goes through `html`, which escapes it.
 */
import { html, type SafeHtml } from "./html.js";

function layout(title: string, body: SafeHtml, head: SafeHtml = html``): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${head}<title>${title} · Rack Gateway</title>
</head>
<body>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.value;
}

/**
 * After the provider's cross-site redirect the Strict session cookie would not ride along on a further
 * redirect, so the callback answers 200 and this page moves on with a same-site navigation.
 */
export function renderSignedInPage(email: string, returnTo: string): string {
  return layout(
    "Signed in",
    html`<p>You are signed in as <strong>${email}</strong>.</p>
<p><a href="${returnTo}">Continue</a></p>`,
    html`<meta http-equiv="refresh" content="0;url=${returnTo}">\n`,
  );
}

/** A refusal: what happened and what the person can do, never an internal detail. */
export function renderProblemPage(title: string, message: string, options: { retry?: boolean } = {}): string {
  return layout(
    title,
    html`<p role="alert">${message}</p>
${options.retry === false ? "" : html`<p><a href="/auth/login">Sign in again</a></p>`}`,
  );
}

export function renderReturnToTerminalPage(): string {
  return layout(
    "Return to your terminal",
    html`<p>You are signed in on the command line. You can close this window and go back to your terminal.</p>`,
  );
}

function logoutForm(csrfToken: string): SafeHtml {
  return html`<form method="post" action="/auth/logout">
<input type="hidden" name="_csrf" value="${csrfToken}">
<button type="submit">Sign out</button>
</form>`;
}

export function renderAccountPage(user: { email: string; name: string }, csrfToken: string): string {
  return layout(
    "Rack Gateway",
    html`<p>You are signed in as <strong>${user.name}</strong> (${user.email}).</p>
${logoutForm(csrfToken)}`,
  );
}

export function renderSignedOutPage(): string {
  return layout(
    "Signed out",
    html`<p>You are signed out. This session no longer works anywhere.</p>
<p><a href="/auth/login">Sign in</a></p>`,
  );
}

export function renderNotSignedInPage(): string {
  return layout("Rack Gateway", html`<p>You are not signed in.</p><p><a href="/auth/login">Sign in</a></p>`);
}

export function renderDeviceEntryPage(problem: string | null): string {
  return layout(
    "Sign in a device",
    html`${problem === null ? "" : html`<p role="alert">${problem}</p>`}
<form method="get" action="/auth/device">
<p><label for="user_code">Enter the code your device shows</label></p>
<p><input id="user_code" name="user_code" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="16" required></p>
<p><button type="submit">Continue</button></p>
</form>`,
  );
}

export function renderDeviceApprovalPage(options: {
  userCode: string;
  deviceName: string;
  email: string;
  expiresAt: Date;
  csrfToken: string;
}): string {
  return layout(
    "Approve a device sign-in?",
    html`<p>A device asks to act as <strong>${options.email}</strong> on this rack, with your permissions.</p>
<dl>
<dt>Code</dt><dd><strong>${options.userCode}</strong></dd>
<dt>Device (as it names itself)</dt><dd>${options.deviceName}</dd>
<dt>Expires</dt><dd>${options.expiresAt.toISOString()}</dd>
</dl>
<p>Approve only if you started this sign-in yourself and your device shows exactly this code.</p>
<form method="post" action="/auth/device">
<input type="hidden" name="_csrf" value="${options.csrfToken}">
<input type="hidden" name="user_code" value="${options.userCode}">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

export function renderDeviceResultPage(decision: "approve" | "deny", deviceName: string): string {
  return decision === "approve"
    ? layout(
        "Device approved",
        html`<p>${deviceName} is signing in. Return to your device; you can close this window.</p>`,
      )
    : layout("Device denied", html`<p>The sign-in of ${deviceName} was refused. Nothing was granted.</p>`);
}
