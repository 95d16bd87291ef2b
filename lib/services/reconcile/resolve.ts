import type { SessionUser } from "../../auth/auth";
import { hasRole } from "../../auth/roles";
import { recordAudit } from "../../audit";
import { db } from "../../db/client";
import { DomainError } from "../../domain/errors";
import { decideClose, type CycleMeter } from "../../domain/reconcile";
import { AppError } from "../../errors";
import { acceptPlatformVerdict, correctEvent, resendInTx } from "./reconcile";
import { cycleFingerprint, reconcileConnection } from "./detect";

/**
 * What a person does about differences, and signing a cycle off. A batch of differences is
 * resolved with one action and one note, all or nothing: each leaves the open list, records who,
 * when, how and why, and writes an audit entry whose before and after say what changed. A
 * difference already resolved is refused with who resolved it and when.
 */
export type Resolution = "accept_platform" | "record_correction" | "resend" | "mark_explained";
const LABEL: Record<Resolution, string> = {
  accept_platform: "accepted the platform's verdict",
  record_correction: "recorded a correction to the platform's units",
  resend: "resent with the same key",
  mark_explained: "marked explained",
};
/** Which resolutions make sense for which kind (a correction needs the platform's units, a resend our event). */
const ALLOWED: Record<string, Resolution[]> = {
  missing_there: ["resend", "mark_explained"],
  missing_here: ["mark_explained"],
  verdict_differs: ["accept_platform", "mark_explained"],
  units_differ: ["record_correction", "mark_explained"],
  amount_differs: ["mark_explained"],
  charge_differs: ["mark_explained"],
};

export async function resolveDifferences(ids: bigint[], resolution: Resolution, note: string, user: SessionUser) {
  return db().$transaction(async (tx) => {
    const rows = await tx.reconcileDifference.findMany({ where: { id: { in: ids } }, orderBy: { id: "asc" } });
    if (rows.length !== new Set(ids.map(String)).size) throw new AppError("NOT_FOUND", "Some of the selected differences do not exist; reload the page.");
    const done = rows.filter((d) => d.state !== "open");
    if (done.length) {
      const d = done[0]!;
      const who =
        d.state === "cleared"
          ? "it matched on a later reconciliation"
          : `${d.resolvedBy} ${LABEL[d.resolution as Resolution] ?? d.resolution} at ${d.resolvedAt?.toISOString()}`;
      throw new AppError("CONFLICT", `Difference #${d.id} (${d.key}) is already ${d.state}: ${who}. Nothing was changed.`);
    }
    const unfit = rows.find((d) => !ALLOWED[d.kind]!.includes(resolution));
    if (unfit)
      throw new AppError("INVALID_INPUT", `"${LABEL[resolution]}" does not apply to #${unfit.id} (${unfit.kind.replace("_", " ")}); nothing was changed.`, {
        resolution: ["Not for every selected difference."],
      });
    // Accepting a verdict, resending and correcting act on one of our events; a Wix charge or invoice row has none.
    const eventless = resolution !== "mark_explained" ? rows.find((d) => d.eventId === null) : undefined;
    if (eventless)
      throw new AppError(
        "INVALID_INPUT",
        `"${LABEL[resolution]}" needs one of our events, and #${eventless.id} (${eventless.key}) has none: mark it explained with a note; nothing was changed.`,
        { resolution: ["Not for every selected difference."] },
      );
    const at = new Date();
    for (const d of rows) {
      let change: unknown = null;
      if (resolution === "accept_platform") change = await acceptPlatformVerdict(tx, d.eventId!, note, user);
      if (resolution === "resend") change = await resendInTx(tx, d.eventId!, note, user);
      if (resolution === "record_correction") change = await correctEvent(tx, d.eventId!, { quantity: d.platformUnits?.toFixed(), note }, user);
      // Only an open difference moves, so two people resolving at once cannot both succeed.
      const moved = await tx.reconcileDifference.updateMany({
        where: { id: d.id, state: "open" },
        data: { state: "resolved", resolution, resolvedById: user.id, resolvedBy: user.email, resolvedAt: at, note },
      });
      if (moved.count !== 1) throw new AppError("CONFLICT", `Difference #${d.id} was resolved meanwhile; nothing was changed.`);
      await recordAudit(tx, user, {
        action: `reconcile.${resolution}`,
        entityType: "reconcile_difference",
        entityId: d.id.toString(),
        before: {
          state: "open",
          kind: d.kind,
          key: d.key,
          ours: d.ourVerdict ?? d.ourUnits?.toFixed() ?? null,
          platform: d.platformVerdict ?? d.platformUnits?.toFixed() ?? null,
        },
        after: { state: "resolved", resolution, by: user.email, ...(change ? { change } : {}) },
        note,
      });
    }
    // The cycles lose these from their open count at once (the next reconciliation recomputes the rest).
    for (const c of new Set(rows.map((d) => `${d.connectionId}|${d.subjectId}|${d.cycleStart.toISOString()}`))) {
      const [connectionId, subjectId, start] = c.split("|") as [string, string, string];
      const open = await tx.reconcileDifference.count({ where: { connectionId, subjectId, cycleStart: new Date(start), state: "open" } });
      await tx.reconcileCycle.updateMany({
        where: { connectionId, subjectId, cycleStart: new Date(start), state: { in: ["open", "balanced"] } },
        data: { openCount: open, state: open ? "open" : "balanced" },
      });
    }
    return { resolved: rows.length };
  });
}

/** Signs a cycle off (see decideClose): a frozen snapshot of its meters and open differences. */
export async function closeCycle(cycleId: string, input: { knownGap: boolean; note: string }, user: SessionUser, now = new Date()) {
  // Sign off on the figures as they stand now, not as the last reconciliation left them.
  const target = await db().reconcileCycle.findUnique({ where: { id: cycleId }, select: { connectionId: true } });
  if (!target) throw new AppError("NOT_FOUND", "No such cycle.");
  await reconcileConnection(target.connectionId, user.email);
  return db().$transaction(async (tx) => {
    const cycle = await tx.reconcileCycle.findUnique({ where: { id: cycleId } });
    if (!cycle) throw new AppError("NOT_FOUND", "No such cycle.");
    if ((cycle.state === "closed" || cycle.state === "closed_with_gap") && !cycle.reopenedAt)
      throw new AppError("CONFLICT", `This cycle was already closed by ${cycle.closedByEmail} at ${cycle.closedAt?.toISOString()}.`);
    const open = await tx.reconcileDifference.findMany({
      where: { connectionId: cycle.connectionId, subjectId: cycle.subjectId, cycleStart: cycle.cycleStart, state: "open" },
      orderBy: { id: "asc" },
    });
    const { platform } = await tx.connection.findUniqueOrThrow({ where: { id: cycle.connectionId }, select: { platform: true } });
    let decision: ReturnType<typeof decideClose>;
    try {
      decision = decideClose({
        now,
        cycleEnd: cycle.cycleEnd,
        platformReadAt: cycle.platformReadAt,
        platformName: platform === "wix" ? "Wix" : "Shopify",
        open: open.map((d) => ({ amount: d.amount.toFixed(), currency: d.currency, kind: d.kind, handle: d.handle })),
        knownGap: input.knownGap,
        isAdmin: hasRole(user.role, "admin"),
        note: input.note,
      });
    } catch (err) {
      if (err instanceof DomainError) throw new AppError("CONFLICT", err.message, { [err.field ?? "cycle"]: [err.message] });
      throw err;
    }
    const meters = cycle.meters as CycleMeter[];
    const snapshot = {
      // What the platform actually charged in the cycle (Shopify CHARGE_USAGE / CHARGE_RECURRING), as read when signed off.
      meters,
      charges: cycle.charges,
      planHandle: cycle.planHandle,
      computedAt: cycle.computedAt.toISOString(),
      platformReadAt: cycle.platformReadAt?.toISOString() ?? null,
      open: open.map((d) => ({ id: d.id.toString(), kind: d.kind, key: d.key, amount: d.amount.toFixed(), currency: d.currency })),
    };
    const fingerprint = cycleFingerprint(
      meters,
      open.map((d) => `${d.kind}:${d.key}`),
    );
    const data = {
      state: decision.state,
      closedById: user.id,
      closedByEmail: user.email,
      closedAt: now,
      closeNote: input.note,
      gap: decision.gap.length ? decision.gap : undefined,
      snapshot,
      closedFingerprint: fingerprint,
      reopenedAt: null,
      reopenReason: null,
    };
    const moved = await tx.reconcileCycle.updateMany({ where: { id: cycle.id, state: cycle.state, fingerprint: cycle.fingerprint }, data });
    if (moved.count !== 1) throw new AppError("CONFLICT", "The cycle changed meanwhile; reload and check it again.");
    await recordAudit(tx, user, {
      action: decision.state === "closed" ? "reconcile.close_cycle" : "reconcile.close_cycle_with_gap",
      entityType: "reconcile_cycle",
      entityId: cycle.id,
      before: { state: cycle.state, openDifferences: open.length, ...(cycle.reopenedAt ? { reopenedAt: cycle.reopenedAt } : {}) },
      after: {
        state: decision.state,
        subject: cycle.subjectLabel,
        cycleStart: cycle.cycleStart,
        cycleEnd: cycle.cycleEnd,
        platformReadAt: cycle.platformReadAt,
        gap: decision.gap,
        meters,
        charges: cycle.charges,
      },
      note: input.note,
    });
    return { state: decision.state, gap: decision.gap };
  });
}
