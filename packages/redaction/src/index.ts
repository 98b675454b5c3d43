/** @module @rack-gateway/redaction — redact secrets in strings, objects, URLs, headers, form bodies and env lists */
export type { EnvKeyClass } from "./classify-name.js";
export { classifyEnvKey, isSensitiveName } from "./classify-name.js";
export { CIRCULAR, MASK, MAX_DEPTH, MAX_REDACTION_DEPTH, REDACTED, UNREADABLE } from "./markers.js";
export type { SensitiveNameTerms } from "./name-rules.js";
export { DEFAULT_SENSITIVE_NAME_TERMS } from "./name-rules.js";
export { redactEnvList, redactEnvMap } from "./redact-env.js";
export { redactFormBody } from "./redact-form-body.js";
export type { HeaderEntries, HeadersInput } from "./redact-headers.js";
export { redactHeaders } from "./redact-headers.js";
export { redactString, redactUrl } from "./redact-text.js";
export { redact } from "./redact-value.js";
export type { RedactionRuleOptions, RedactionRules } from "./rules.js";
export { createRedactionRules, DEFAULT_REDACTION_RULES, parseNameList } from "./rules.js";
