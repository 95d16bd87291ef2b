// Sign-in throttling against the real Postgres: the waits double and are capped, concurrent
// failures from several processes' connections all count, an attacker elsewhere cannot keep the
// real person out, and every wait is audited.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/databases";

let database: TestDatabase;
let t: typeof import("./throttle");
let db: typeof import("../db/client").db;
let adminId = "";

beforeAll(async () => {
  database = await createTestDatabase();
  process.env.DATABASE_URL = database.url;
  process.env.LOG_LEVEL = "silent";
  await (await import("../db/migrate")).applyMigrations(database.url);
  ({ db } = await import("../db/client"));
  t = await import("./throttle");
  const admin = await db().user.create({ data: { email: "admin@example.com", name: "Admin", role: "admin", passwordHash: "x" } });
  adminId = admin.id;
});
afterAll(async () => {
  await db?.().$disconnect();
  await database?.drop();
});

const at = (start: Date, ms: number) => new Date(start.getTime() + ms);
const fail = (email: string, address: string, now: Date) => t.recordSignInFailure(email, address, now);

describe("sign-in throttling", () => {
  it("lets 4 failures through, then each further failure waits twice as long, at most 15 minutes", async () => {
    const start = new Date("2026-12-01T10:00:00Z");
    const email = "victim@example.com",
      address = "203.0.113.7";
    for (let i = 0; i < 4; i++) expect((await fail(email, address, at(start, i * 1000))).lockedUntil).toBeNull();
    const fifth = await fail(email, address, at(start, 4000));
    expect(fifth.lockedUntil).toEqual(at(start, 4000 + 30_000));
    // While it waits, a try is refused unchecked, and counted.
    expect((await t.checkSignIn(email, address, at(start, 10_000))).lockedUntil).toEqual(fifth.lockedUntil);
    expect((await t.checkSignIn(email, "198.51.100.1", at(start, 10_000))).lockedUntil, "the account waits from any other address").toEqual(fifth.lockedUntil);
    expect((await t.checkSignIn("other@example.com", address, at(start, 10_000))).lockedUntil, "so does the address for any other account").toEqual(
      fifth.lockedUntil,
    );
    let now = at(start, 35_000);
    expect((await t.checkSignIn(email, address, now)).lockedUntil).toBeNull();
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const { lockedUntil } = await fail(email, address, now);
      waits.push((lockedUntil!.getTime() - now.getTime()) / 1000);
      now = at(lockedUntil!, 1000);
    }
    expect(waits).toEqual([60, 120, 240, 480, 900, 900, 900]);
    const row = await db().signInThrottle.findUniqueOrThrow({ where: { scope_subject: { scope: "account", subject: email } } });
    expect(row.failures).toBe(12);
    expect(row.refused).toBe(2);
    expect(t.describeWait(at(now, 120_000), now)).toBe(`in 2 minutes (at ${at(now, 120_000).toISOString().slice(11, 19)} UTC)`);
  });

  it("forgets failures after 15 quiet minutes", async () => {
    const start = new Date("2026-12-01T12:00:00Z");
    for (let i = 0; i < 4; i++) await fail("quiet@example.com", "203.0.113.20", at(start, i));
    expect((await fail("quiet@example.com", "203.0.113.20", at(start, 16 * 60_000))).lockedUntil).toBeNull();
    const row = await db().signInThrottle.findUniqueOrThrow({ where: { scope_subject: { scope: "account", subject: "quiet@example.com" } } });
    expect(row.failures).toBe(1);
  });

  it("counts every one of 40 concurrent failures (several web processes agree through Postgres)", async () => {
    const now = new Date("2026-12-01T14:00:00Z");
    const { createPrisma } = await import("../db/client");
    // A second pool stands in for a second web process.
    const other = createPrisma(database.url, 4);
    try {
      await Promise.all([
        ...Array.from({ length: 20 }, () => fail("burst@example.com", "203.0.113.30", now)),
        ...Array.from({ length: 20 }, () => other.$executeRaw`SELECT 1`.then(() => fail("burst@example.com", "203.0.113.30", now))),
      ]);
    } finally {
      await other.$disconnect();
    }
    const row = await db().signInThrottle.findUniqueOrThrow({ where: { scope_subject: { scope: "account", subject: "burst@example.com" } } });
    expect(row.failures).toBe(40);
    expect(row.lockedUntil).toEqual(at(now, 15 * 60_000));
  });

  it("an attacker elsewhere cannot lock the admin out at an address where the admin signed in; each wait is audited", async () => {
    const start = new Date("2026-12-02T09:00:00Z");
    const email = "admin@example.com",
      office = "192.0.2.10",
      attacker = "198.51.100.66",
      cafe = "192.0.2.99";
    await t.recordSignInSuccess(adminId, email, office, start);
    let lastLock: Date | null = null;
    for (let i = 0; i < 30; i++) {
      const now = at(start, i * 60_000);
      if ((await t.checkSignIn(email, attacker, now)).lockedUntil) continue;
      lastLock = (await fail(email, attacker, now)).lockedUntil ?? lastLock;
    }
    const now = at(start, 30 * 60_000);
    expect(lastLock!.getTime()).toBeGreaterThan(now.getTime());
    expect((await t.checkSignIn(email, attacker, now)).lockedUntil, "the attacker waits").not.toBeNull();
    expect((await t.checkSignIn(email, cafe, now)).lockedUntil, "a new address waits for the account (at most 15 minutes)").not.toBeNull();
    expect((await t.checkSignIn(email, office, now)).lockedUntil, "the admin's own address does not").toBeNull();

    const audits = await db().auditLog.findMany({ where: { action: "auth.sign_in_throttled", entityId: `account:${email}` } });
    expect(audits.length).toBeGreaterThanOrEqual(3);
    expect(audits[0]!.note).toMatch(/failed sign-ins within 15 minutes.*waits 30 s/);

    // A right password starts the account's count again.
    await t.recordSignInSuccess(adminId, email, cafe, now);
    expect(await db().signInThrottle.count({ where: { scope: "account", subject: email } })).toBe(0);
    expect((await t.checkSignIn(email, attacker, now)).lockedUntil, "the attacker's address still waits").not.toBeNull();
  });

  it("takes the address the nearest hop saw", () => {
    expect(t.clientAddress(new Headers({ "x-forwarded-for": "10.9.9.9, 203.0.113.5" }))).toBe("203.0.113.5");
    expect(t.clientAddress(new Headers({ "x-forwarded-for": "::ffff:127.0.0.1" }))).toBe("127.0.0.1");
    expect(t.clientAddress(new Headers())).toBe("unknown");
  });
});
