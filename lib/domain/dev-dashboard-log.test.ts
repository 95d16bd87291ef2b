import { describe, expect, it } from "vitest";
import { LogFileError, parseDevDashboardLog } from "./dev-dashboard-log";

const header = "status,event_handle,shop,timestamp,billable,billing_result_code,result_details,idempotency_key,value";

describe("Dev Dashboard log files", () => {
  it("reads a CSV in the log's columns", () => {
    const { rows, exportedAt } = parseDevDashboardLog(
      [
        header,
        "200,sms_sent,dev.myshopify.com,2026-11-20T10:00:00Z,true,SUCCESS,,k1,5",
        "200,SMS_SENT,dev.myshopify.com,2026-11-20T10:01:00Z,false,,,k2,1",
        "200,sms_sent,dev.myshopify.com,2026-11-20T10:02:00Z,false,PERIOD_CLOSED,closed,k3,2.5",
      ].join("\n"),
      "csv",
    );
    expect(rows.map((r) => [r.idempotencyKey, r.verdict, r.code, r.quantity])).toEqual([
      ["k1", "billable", null, "5"],
      ["k2", "non_billable", null, "1"],
      ["k3", "failed", "PERIOD_CLOSED", "2.5"],
    ]);
    expect(exportedAt).toBeNull();
  });

  it("reads when a JSON export was made, and takes an empty one only when it says so", () => {
    const file = parseDevDashboardLog(JSON.stringify({ exported_at: "2026-11-20T11:00:00Z", rows: [] }), "json");
    expect(file).toEqual({ rows: [], exportedAt: new Date("2026-11-20T11:00:00Z") });
    expect(() => parseDevDashboardLog(JSON.stringify({ rows: [] }), "json")).toThrow(/no rows and does not say when it was exported/);
    expect(() => parseDevDashboardLog(`${header}\n`, "csv")).toThrow(/no rows/);
    expect(() => parseDevDashboardLog(JSON.stringify({ exported_at: "soon", rows: [] }), "json")).toThrow(/exported_at "soon"/);
  });

  it("refuses the whole file at the first bad line, naming it", () => {
    const csv = [
      header,
      "200,sms_sent,s,2026-11-20T10:00:00Z,true,,,k1,1",
      "200,sms_sent,s,not-a-date,true,,,k2,1",
      "200,sms_sent,s,2026-11-20T10:00:00Z,true,,,,1",
    ].join("\n");
    expect(() => parseDevDashboardLog(csv, "csv")).toThrow(new LogFileError(3, 'timestamp "not-a-date" is not a date and time'));
    const json = JSON.stringify([
      { idempotency_key: "a", event_handle: "sms_sent", billable: true },
      { idempotency_key: "b", event_handle: "sms_sent", billing_result_code: "WHATEVER" },
    ]);
    expect(() => parseDevDashboardLog(json, "json")).toThrow(/^line 2: billing_result_code "WHATEVER"/);
    expect(() =>
      parseDevDashboardLog([header, "200,sms_sent,s,2026-11-20T10:00:00Z,true,,,k1,1", "200,sms_sent,s,2026-11-20T10:00:00Z,true,,,k1,1"].join("\n"), "csv"),
    ).toThrow(/^line 3: idempotency_key k1 already appears on line 2/);
    expect(() => parseDevDashboardLog("{nope", "json")).toThrow(/not valid JSON/);
    expect(() => parseDevDashboardLog(`${header}\n200,"unterminated`, "csv")).toThrow(/not valid CSV/);
  });
});
