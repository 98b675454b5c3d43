/**
 * End to end in a real headless Chromium (Debian's, driven by playwright-core): a person signs in at the fake
 * OIDC provider's account picker, a CLI signs in through its loopback listener, a headless machine through the
 * device flow, the CLI session drives the rack, and a page on another origin cannot.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createS256CodeChallenge } from "@rack-gateway/oauth";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./chromium.js";
import { basicAuth } from "./harness.js";
import {
  type DeviceStart,
  type IssuedSession,
  type OAuthErrorBody,
  postJson,
  type SignInHarness,
  startSignInHarness,
} from "./signin-helpers.js";

let kit: SignInHarness;
let browser: Browser;
const servers: Server[] = [];

async function listen(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  // Launched first: a missing Chromium fails here with how to install it, before anything else starts.
  browser = await launchChromium();
  kit = await startSignInHarness();
});

afterAll(async () => {
  await browser?.close();
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await kit?.close();
});

const verifier = "e2e-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";

describe("sign-in in a real browser", () => {
  let cliToken = "";

  it("signs a person in through the provider's account picker", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${kit.gatewayUrl}/auth/login`);
    expect(page.url().startsWith(kit.idp.url)).toBe(true);
    await page.click('button[data-email="admin@example.com"]');
    await page.waitForURL(`${kit.gatewayUrl}/auth/done`);
    expect(await page.textContent("main")).toContain("admin@example.com");

    const cookie = (await context.cookies(kit.gatewayUrl)).find((entry) => entry.name === "rgw_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
    await page.goto(`${kit.gatewayUrl}/api/v1/me`);
    const me = JSON.parse((await page.textContent("body")) ?? "{}") as { user: { email: string } };
    expect(me.user.email).toBe("admin@example.com");

    // Sign out with the page's own form (POST + _csrf), then the cookie is dead.
    await page.goto(`${kit.gatewayUrl}/auth/done`);
    await page.click('form[action="/auth/logout"] button');
    await page.waitForLoadState();
    expect(await page.textContent("h1")).toBe("Signed out");
    // Signed out, a page of the gateway sends the browser back to sign in.
    await page.goto(`${kit.gatewayUrl}/api/v1/me`);
    expect(page.url().startsWith(kit.idp.url)).toBe(true);
    await context.close();
  });

  it("signs a CLI in through its loopback listener (RFC 8252) and redeems the code with PKCE", async () => {
    const received: { code: string | null; state: string | null }[] = [];
    const port = await listen((request, response) => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      received.push({ code: url.searchParams.get("code"), state: url.searchParams.get("state") });
      response.writeHead(302, { location: `${kit.gatewayUrl}/auth/done?flow=cli` }).end();
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(
      `${kit.gatewayUrl}/auth/cli/start?${new URLSearchParams({
        redirect_uri: `http://127.0.0.1:${port}/callback`,
        code_challenge: createS256CodeChallenge(verifier),
        code_challenge_method: "S256",
        state: "cli-e2e-state",
        device_name: "e2e laptop",
      })}`,
    );
    await page.click('button[data-email="deployer@example.com"]');
    await page.waitForURL(`${kit.gatewayUrl}/auth/done?flow=cli`);
    expect(await page.textContent("h1")).toBe("Return to your terminal");
    expect(received).toHaveLength(1);
    expect(received[0]?.state).toBe("cli-e2e-state");

    const issued = await postJson<IssuedSession>(`${kit.gatewayUrl}/api/v1/auth/cli/token`, {
      code: received[0]?.code,
      code_verifier: verifier,
    });
    expect(issued.status).toBe(200);
    expect(issued.body.user.email).toBe("deployer@example.com");
    expect(issued.body.session.deviceName).toBe("e2e laptop");
    cliToken = issued.body.token;
    await context.close();
  });

  it("approves a device-code sign-in in the browser while the machine polls", async () => {
    const device = (
      await postJson<DeviceStart>(`${kit.gatewayUrl}/api/v1/auth/device`, { device_name: "e2e headless box" })
    ).body;
    const polling = (async () => {
      for (;;) {
        const answer = await postJson<OAuthErrorBody & Partial<IssuedSession>>(
          `${kit.gatewayUrl}/api/v1/auth/device/token`,
          { device_code: device.device_code },
        );
        if (answer.body.error !== "authorization_pending") return answer;
        await new Promise((resolve) => setTimeout(resolve, device.interval * 1000));
      }
    })();

    const context = await browser.newContext();
    const page = await context.newPage();
    // Not signed in: the gateway sends the browser through the provider and back to the code.
    await page.goto(device.verification_uri_complete);
    await page.click('button[data-email="viewer@example.com"]');
    await page.waitForURL(`${kit.gatewayUrl}/auth/device?user_code=${device.user_code}`);
    expect(await page.textContent("main")).toContain("e2e headless box");
    await page.click('button[value="approve"]');
    await page.waitForLoadState();
    expect(await page.textContent("h1")).toBe("Device approved");

    const answer = await polling;
    expect(answer.status).toBe(200);
    expect(answer.body.user?.email).toBe("viewer@example.com");
    await context.close();
  }, 30_000);

  it("proxies the CLI session's call to the rack with the person's email in the audit event", async () => {
    const response = await fetch(`${kit.harness.proxyUrl}/apps`, {
      headers: { authorization: basicAuth(cliToken) },
    });
    expect(response.status).toBe(200);
    const events = (await kit.harness.auditRecords()).map((record) => record.event);
    const proxied = events.filter((event) => event.action === "rack.request" && event.path === "/apps");
    expect(proxied.at(-1)?.actor.email).toBe("deployer@example.com");
  });

  it("lets no page on another origin drive the rack or sign a person out", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${kit.gatewayUrl}/auth/login`);
    await page.click('button[data-email="admin@example.com"]');
    await page.waitForURL(`${kit.gatewayUrl}/auth/done`);

    const evilPort = await listen((_request, response) => {
      response.writeHead(200, { "content-type": "text/html" });
      response.end(`<!doctype html><body>
<form method="post" action="${kit.harness.proxyUrl}/apps/myapp/restart"><button>go</button></form>
<script>
  fetch(${JSON.stringify(`${kit.harness.proxyUrl}/apps/myapp/restart`)}, { method: "POST", credentials: "include", mode: "no-cors" });
  fetch(${JSON.stringify(`${kit.gatewayUrl}/auth/logout`)}, { method: "POST", credentials: "include", mode: "no-cors" });
</script></body>`);
    });
    kit.harness.rack.reset();
    await page.goto(`http://localhost:${evilPort}/`);
    await page.waitForTimeout(500);
    await page.click("button");
    await page.waitForLoadState();
    expect(await page.textContent("body")).toMatch(/error/);
    expect(kit.harness.rack.requests).toHaveLength(0);

    await page.goto(`${kit.gatewayUrl}/api/v1/me`);
    expect(await page.textContent("body")).toContain("admin@example.com");
    await context.close();
  });
});
