/**
 * Sessions of people: opaque random tokens stored only as hashes, bound to a channel (web cookie or CLI
 * credential), with an idle timeout and an absolute lifetime per channel (runtime settings), revocable at once.
 */
import type { AuditActor } from "@rack-gateway/audit-chain";
import type { Principal } from "@rack-gateway/rbac";
import type { Settings } from "../settings/settings.js";
import type { SessionChannel, SessionRecord, SessionStore, UserRecord, UserStore } from "../stores/types.js";
import { createSessionToken, hashApiToken, isWellFormedSessionToken } from "./api-token.js";
import { readThrough, type TtlCache } from "./ttl-cache.js";

export interface SessionIdentity {
  readonly principal: Principal;
  readonly actor: AuditActor;
  readonly session: SessionRecord;
  readonly user: UserRecord;
}

export type SessionAuthentication =
  | { readonly ok: true; readonly identity: SessionIdentity }
  | { readonly ok: false; readonly reason: string };

export interface DeviceInfo {
  readonly deviceName: string;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

export interface SessionService {
  /** Starts a session for `user` on `channel`; returns the token (shown to the client once) and the record. */
  start(
    user: UserRecord,
    channel: SessionChannel,
    device: DeviceInfo,
  ): Promise<{ token: string; session: SessionRecord }>;
  /** Checks a presented session token for `channel`; refreshes its last-seen time. */
  authenticate(token: string, channel: SessionChannel): Promise<SessionAuthentication>;
  /** The lifetimes in force for a channel, from settings. */
  lifetimes(channel: SessionChannel): Promise<{ idleMinutes: number; absoluteHours: number }>;
}

/** Last-seen is written at most this often per session: every request would otherwise be a write. */
const TOUCH_INTERVAL_MS = 30_000;

export function userPrincipal(user: UserRecord): Principal {
  return { kind: "user", id: user.id, name: user.email, grants: user.grants };
}

export function userActor(user: UserRecord): AuditActor {
  return { type: "user", id: user.id, email: user.email, name: user.name };
}

export function createSessionService(deps: {
  sessions: SessionStore;
  users: UserStore;
  settings: Settings;
  now: () => Date;
  random: (byteCount: number) => Uint8Array;
  /** Sessions by token hash and users by id, cleared on every credential change. Absent: no caching. */
  cache?: { sessions: TtlCache<SessionRecord>; users: TtlCache<UserRecord> };
}): SessionService {
  const loadSession = async (tokenHash: string, fresh: boolean) => {
    const cached = fresh ? undefined : deps.cache?.sessions.get(tokenHash);
    if (cached) return { session: cached, fromCache: true };
    const generation = deps.cache?.sessions.generation() ?? 0;
    const session = await deps.sessions.findByTokenHash(tokenHash);
    if (session && !session.revokedAt) deps.cache?.sessions.set(tokenHash, session, generation);
    return { session, fromCache: false };
  };
  const loadUser = (id: string) => readThrough(deps.cache?.users, id, () => deps.users.findById(id));
  const lifetimes = async (channel: SessionChannel) => {
    if (channel === "web") {
      const [idle, absolute] = await Promise.all([
        deps.settings.get("session_timeout_minutes"),
        deps.settings.get("session_absolute_hours"),
      ]);
      return { idleMinutes: idle.value, absoluteHours: absolute.value };
    }
    const [idle, absolute] = await Promise.all([
      deps.settings.get("cli_session_idle_minutes"),
      deps.settings.get("cli_session_absolute_hours"),
    ]);
    return { idleMinutes: idle.value, absoluteHours: absolute.value };
  };

  return {
    lifetimes,
    async start(user, channel, device) {
      const now = deps.now();
      const { absoluteHours } = await lifetimes(channel);
      const token = createSessionToken(deps.random);
      const session = await deps.sessions.create({
        userId: user.id,
        tokenHash: hashApiToken(token),
        channel,
        deviceName: device.deviceName.slice(0, 200),
        ip: device.ip,
        userAgent: device.userAgent?.slice(0, 500) ?? null,
        createdAt: now,
        expiresAt: new Date(now.getTime() + absoluteHours * 3_600_000),
      });
      await deps.users.recordSignIn(user.id, now);
      return { token, session };
    },
    async authenticate(token, channel) {
      if (!isWellFormedSessionToken(token))
        return { ok: false, reason: "credential is not a well-formed session token" };
      const tokenHash = hashApiToken(token);
      let { session, fromCache } = await loadSession(tokenHash, false);
      if (!session) return { ok: false, reason: "unknown session" };
      // A web cookie never works as a CLI credential and the reverse: a stolen cookie can't drive the rack.
      if (session.channel !== channel)
        return { ok: false, reason: `a ${session.channel} session cannot be used here` };
      if (session.revokedAt)
        return {
          ok: false,
          reason: `session ${session.id} was revoked (${session.revokedReason ?? "no reason"})`,
        };
      const now = deps.now();
      if (session.expiresAt.getTime() <= now.getTime()) {
        return { ok: false, reason: `session ${session.id} reached its absolute lifetime` };
      }
      const { idleMinutes } = await lifetimes(channel);
      const idleCutoff = new Date(now.getTime() - idleMinutes * 60_000);
      if (fromCache && session.lastSeenAt.getTime() < idleCutoff.getTime()) {
        // Another process may have seen this session more recently than our cached copy says.
        ({ session, fromCache } = await loadSession(tokenHash, true));
        if (!session || session.revokedAt) return { ok: false, reason: "session is no longer valid" };
      }
      if (session.lastSeenAt.getTime() < idleCutoff.getTime()) {
        return { ok: false, reason: `session ${session.id} expired after ${idleMinutes} idle minutes` };
      }
      if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
        const generation = deps.cache?.sessions.generation() ?? 0;
        // Atomic in the store: a session revoked or expired between the read and now is not revived.
        if (!(await deps.sessions.touch(session.id, now, idleCutoff))) {
          deps.cache?.sessions.delete(tokenHash);
          return { ok: false, reason: `session ${session.id} is no longer valid` };
        }
        session = { ...session, lastSeenAt: now };
        deps.cache?.sessions.set(tokenHash, session, generation);
      }
      const user = await loadUser(session.userId);
      if (!user) return { ok: false, reason: "the session's user no longer exists" };
      if (user.lockedAt) return { ok: false, reason: `account ${user.email} is locked` };
      return {
        ok: true,
        identity: { principal: userPrincipal(user), actor: userActor(user), session, user },
      };
    },
  };
}
