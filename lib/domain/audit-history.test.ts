import { describe, expect, it } from "vitest";
import { auditRefs, describeAudit, fieldWords, refKey, type Named } from "./audit-history";

const CONN = "5e3d0b1a-0000-4000-8000-000000000001";
const SHOP = "0b9c6a2e-1111-4222-8333-444455556666";
const names = new Map<string, Named>([
  [refKey({ kind: "connection", id: CONN }), { label: "SMS Blaster (sandbox)", href: `/settings/connections/${CONN}` }],
  [refKey({ kind: "shop", id: SHOP }), { label: "dev-sms-store.myshopify.com", href: `/events?shop=${SHOP}` }],
  [refKey({ kind: "event", id: "2015" }), { label: "event #2015 (sms_sent on dev-sms-store.myshopify.com)", href: "/events/2015" }],
]);

describe("the audit log read as a history", () => {
  it("collects the thing a row is about and the ids inside its values, nothing else", () => {
    expect(
      auditRefs({
        action: "scenario.start",
        entityType: "scenario_run",
        entityId: "run-1",
        before: null,
        after: { connectionId: CONN, shopId: SHOP, shopDomain: "x" },
      }),
    ).toEqual([
      { kind: "connection", id: CONN },
      { kind: "shop", id: SHOP },
    ]);
    expect(
      auditRefs({ action: "event.void", entityType: "event", entityId: "2015", before: { state: "held" }, after: { state: "voided", voidEntry: "2016" } }),
    ).toEqual([
      { kind: "event", id: "2015" },
      { kind: "event", id: "2016" },
    ]);
    // Not an id: left alone rather than looked up.
    expect(auditRefs({ action: "x", entityType: "connection", entityId: "not-a-uuid", before: { connectionId: "'; drop" }, after: null })).toEqual([]);
    expect(auditRefs({ action: "alert.acknowledge", entityType: "alert", entityId: "nope", before: null, after: { subject: `shop:${SHOP}` } })).toEqual([
      { kind: "shop", id: SHOP },
    ]);
  });

  it("says what changed in words, field by field, with names for ids, leaving out what stayed the same", () => {
    const view = describeAudit(
      {
        action: "connection.update",
        entityType: "connection",
        entityId: CONN,
        before: { name: "SMS Blaster (sandbox)", apiBaseUrl: "http://old", environment: "sandbox" },
        after: { name: "SMS Blaster (sandbox)", apiBaseUrl: "http://new", environment: "sandbox" },
      },
      names,
    );
    expect(view.action).toBe("Edited a connection");
    expect(view.subject).toEqual({ label: "SMS Blaster (sandbox)", href: `/settings/connections/${CONN}` });
    expect(view.changes).toEqual([{ field: "API base URL", before: { kind: "text", text: "http://old" }, after: { kind: "text", text: "http://new" } }]);
  });

  it("names a shop by its domain and an event by its number, with links", () => {
    const start = describeAudit(
      { action: "scenario.start", entityType: "scenario_run", entityId: "r", before: null, after: { connectionId: CONN, shopId: SHOP } },
      names,
    );
    expect(start.changes).toEqual([
      { field: "connection", after: { kind: "ref", named: names.get(refKey({ kind: "connection", id: CONN })) } },
      { field: "shop", after: { kind: "ref", named: { label: "dev-sms-store.myshopify.com", href: `/events?shop=${SHOP}` } } },
    ]);
    const mark = describeAudit(
      {
        action: "event.mark_verdict",
        entityType: "event",
        entityId: "2015",
        before: { verdict: null, code: null },
        after: { verdict: "non_billable", code: null },
      },
      names,
    );
    expect(mark.subject.href).toBe("/events/2015");
    expect(mark.changes).toEqual([{ field: "verdict", before: { kind: "none" }, after: { kind: "text", text: "non_billable" } }]);
  });

  it("shows times as times, flags as yes/no, and a deleted thing by what the row kept of it", () => {
    const view = describeAudit(
      {
        action: "connection.delete",
        entityType: "connection",
        entityId: "9e3d0b1a-0000-4000-8000-000000000009",
        before: { name: "Old app", platform: "wix" },
        after: null,
      },
      names,
    );
    expect(view.subject).toEqual({ label: "connection Old app (no longer here)" });
    expect(view.changes.map((c) => c.field)).toEqual(["name", "platform"]);
    const disable = describeAudit(
      {
        action: "connection.disable",
        entityType: "connection",
        entityId: CONN,
        before: { disabledAt: null },
        after: { disabledAt: "2026-12-07T10:00:00.000Z" },
      },
      names,
    );
    expect(disable.action).toBe("Disabled delivery");
    expect(disable.changes[0]).toEqual({ field: "disabled at", before: { kind: "none" }, after: { kind: "time", iso: "2026-12-07T10:00:00.000Z" } });
    const created = describeAudit(
      { action: "connection.create", entityType: "connection", entityId: CONN, before: null, after: { secrets: { clientSecret: true, apiKey: false } } },
      names,
    );
    expect(created.changes).toEqual([{ field: "secrets", after: { kind: "text", text: "client secret yes · API key no" } }]);
  });

  it("an action not in the list still reads as words", () => {
    expect(
      describeAudit({ action: "reconcile.accept_platform", entityType: "reconcile_difference", entityId: "7", before: null, after: null }, names).action,
    ).toBe("Resolved a difference: accept platform");
    expect(describeAudit({ action: "shop.uninstall", entityType: "shop", entityId: SHOP, before: null, after: null }, names).action).toBe("Shop: uninstall");
    expect(fieldWords("initialChargeLimit")).toBe("initial charge limit");
  });
});
