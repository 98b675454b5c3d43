/** @module @rack-gateway/oauth/testing — a fake OpenID Provider on loopback and ID-token minting helpers */
export type { FakeIssuedCode, FakeOidcUser, FakeTokenRequest } from "./fake-oidc-model.js";
export type { FakeOidcProvider, FakeOidcProviderOptions } from "./fake-oidc-provider.js";
export { startFakeOidcProvider } from "./fake-oidc-provider.js";
export type { TestSigningKey } from "./signing-keys.js";
export { createTestSigningKey, mintHmacIdToken, mintIdToken, mintUnsignedIdToken } from "./signing-keys.js";
