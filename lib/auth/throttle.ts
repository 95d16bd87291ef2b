import { recordAudit } from "../audit";
import { db } from "../db/client";

/**
 * Sign-in throttling, shared by every web process through Postgres (sign_in_throttles).
 * Two counters per try: the account (lowercased email) and the client address. Failures count
 * until WINDOW passes with none (counted from the end of the last wait); from the THRESHOLD-th on, each failure makes the
 * next try wait FIRST_WAIT, then twice as long each time, at most MAX_WAIT. A try while either
 * counter waits is refused without looking at the password.
 *
 * An attacker elsewhere must not lock the real person out: an account's counter does not stop a
 * try from an address where that account signed in within KNOWN_FOR (the address's own counter
 * still does). Anyone else waits at most MAX_WAIT per try, and an admin can clear a counter.
 */
export const THROTTLE = {
  threshold: 5,
  windowMs: 15 * 60_000,
  firstWaitMs: 30_000,
  maxWaitMs: 15 * 60_000,
  knownForMs: 90 * 24 * 60 * 60_000,
} as const;

/** How long the try after `failures` consecutive failures waits (0: not at all). */
export function waitAfter(failures: number): number {
  if (failures < THROTTLE.threshold) return 0;
  return Math.min(THROTTLE.firstWaitMs * 2 ** (failures - THROTTLE.threshold), THROTTLE.maxWaitMs);
}

/**
 * The client's address: the last X-Forwarded-For entry, i.e. what the nearest hop saw (Next adds
 * the socket's address when no proxy sent one). Behind the TLS proxy that appends the client's
 * address, a client cannot choose it.
 */
export function clientAddress(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for");
  const last = forwarded
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .at(-1);
  return (last ?? "unknown").replace(/^::ffff:/, "").slice(0, 64);
}

export type ThrottleCheck = { lockedUntil: Date | null };

/** Whether this try must wait; a refused try is counted on the counters that refused it. */
export async function checkSignIn(email: string, address: string, now = new Date()): Promise<ThrottleCheck> {
  const known = await db().$queryRaw<{ known: boolean }[]>`
    SELECT EXISTS (
      SELECT 1 FROM sign_in_known_addresses k JOIN users u ON u.id = k.user_id
      WHERE u.email = ${email} AND k.address = ${address} AND k.last_success_at > ${new Date(now.getTime() - THROTTLE.knownForMs)}
    ) AS known`;
  const accountApplies = !known[0]?.known;
  const locked = await db().$queryRaw<{ locked_until: Date }[]>`
    UPDATE sign_in_throttles SET refused = refused + 1
    WHERE locked_until > ${now}
      AND ((scope = 'address' AND subject = ${address}) OR (scope = 'account' AND subject = ${email} AND ${accountApplies}))
    RETURNING locked_until`;
  const until = locked.reduce<Date | null>((max, r) => (!max || r.locked_until > max ? r.locked_until : max), null);
  return { lockedUntil: until };
}

/**
 * Counts a failed try on both counters in one statement (several processes may count at once).
 * Returns when the next try may come, if it must wait; the start of each wait is audited.
 */
export async function recordSignInFailure(email: string, address: string, now = new Date()): Promise<ThrottleCheck> {
  const windowStart = new Date(now.getTime() - THROTTLE.windowMs);
  return db().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ scope: "account" | "address"; subject: string; failures: number }[]>`
      INSERT INTO sign_in_throttles AS t (scope, subject, failures, first_failure_at, last_failure_at, last_other)
      VALUES ('account', ${email}, 1, ${now}, ${now}, ${address}), ('address', ${address}, 1, ${now}, ${now}, ${email})
      ON CONFLICT (scope, subject) DO UPDATE SET
        failures = CASE WHEN GREATEST(t.last_failure_at, t.locked_until) < ${windowStart} THEN 1 ELSE t.failures + 1 END,
        first_failure_at = CASE WHEN GREATEST(t.last_failure_at, t.locked_until) < ${windowStart} THEN ${now} ELSE t.first_failure_at END,
        refused = CASE WHEN GREATEST(t.last_failure_at, t.locked_until) < ${windowStart} THEN 0 ELSE t.refused END,
        last_failure_at = ${now},
        last_other = EXCLUDED.last_other
      RETURNING scope, subject, failures`;
    let until: Date | null = null;
    for (const row of rows) {
      const wait = waitAfter(row.failures);
      if (!wait) continue;
      const lockedUntil = new Date(now.getTime() + wait);
      await tx.signInThrottle.update({ where: { scope_subject: { scope: row.scope, subject: row.subject } }, data: { lockedUntil } });
      await recordAudit(tx, null, {
        action: "auth.sign_in_throttled",
        entityType: "sign_in",
        entityId: `${row.scope}:${row.subject}`,
        after: { failures: row.failures, lockedUntil: lockedUntil.toISOString(), email, address },
        note: `${row.failures} failed sign-ins within ${THROTTLE.windowMs / 60_000} minutes of each other: the next try waits ${Math.round(wait / 1000)} s`,
      });
      if (!until || lockedUntil > until) until = lockedUntil;
    }
    // Counters quiet for a day are forgotten.
    await tx.$executeRaw`DELETE FROM sign_in_throttles WHERE last_failure_at < ${new Date(now.getTime() - 24 * 60 * 60_000)} AND (locked_until IS NULL OR locked_until < ${now})`;
    return { lockedUntil: until };
  });
}

/** A right password: the account's counter starts again and the address becomes known for it. */
export async function recordSignInSuccess(userId: string, email: string, address: string, now = new Date()): Promise<void> {
  await db().$transaction([
    db().$executeRaw`DELETE FROM sign_in_throttles WHERE scope = 'account' AND subject = ${email}`,
    db().$executeRaw`
      INSERT INTO sign_in_known_addresses (user_id, address, last_success_at) VALUES (${userId}::uuid, ${address}, ${now})
      ON CONFLICT (user_id, address) DO UPDATE SET last_success_at = EXCLUDED.last_success_at`,
  ]);
}

/** "in 2 minutes (at 00:21:05 UTC)" */
export function describeWait(until: Date, now = new Date()): string {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  const span = seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
  return `in ${span} (at ${until.toISOString().slice(11, 19)} UTC)`;
}
