/** After the gateway child has exited: count the audit records it committed and verify the chain. */
import { verifyStoredChain } from "@rack-gateway/audit-chain";
import { loadOperatorConfig } from "../src/config/config.js";
import { openDatabase } from "../src/db/open.js";
import { checkpointSigningKeyOf } from "../src/main.js";

export interface AuditCheck {
  readonly records: number;
  readonly byAction: Readonly<Record<string, number>>;
  readonly notAllowed: number;
  readonly chain: { ok: true; headSeq: number; checkpoints: number } | { ok: false; reason: string };
}

/** `env` is the gateway child's environment (DATABASE_URL or RACK_GATEWAY_DATA_DIR, AUDIT_HMAC_SECRET). */
export async function checkAudit(env: Record<string, string>): Promise<AuditCheck> {
  const config = loadOperatorConfig(env);
  const database = config.database.url
    ? await openDatabase({ databaseUrl: config.database.url, maxConnections: 2 })
    : await openDatabase({ dataDir: config.database.dataDir });
  try {
    const store = database.stores.audit;
    const byAction: Record<string, number> = {};
    let records = 0;
    let notAllowed = 0;
    for (let afterSeq = 0; ; ) {
      const page = await store.list({ afterSeq, limit: 5000 });
      if (page.length === 0) break;
      for (const record of page) {
        records += 1;
        byAction[record.event.action] = (byAction[record.event.action] ?? 0) + 1;
        if (record.event.decision !== "allow") notAllowed += 1;
        afterSeq = record.seq;
      }
    }
    const signingKey = checkpointSigningKeyOf(config);
    const verified = await verifyStoredChain(store, config.audit.hmacKeys, {
      checkpoints: await store.listCheckpoints(),
      checkpointPublicKeys: { [signingKey.keyId]: signingKey.publicKey },
    });
    const chain = verified.ok
      ? { ok: true as const, headSeq: verified.head?.seq ?? 0, checkpoints: verified.checkpointsVerified }
      : {
          ok: false as const,
          reason: `${verified.reason.code} at seq ${verified.seq}: ${verified.reason.message}`,
        };
    return { records, byAction, notAllowed, chain };
  } finally {
    await database.close();
  }
}
