import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findPersonalData, personalDataMessage, personalKey, personalText } from "./personal-data";

const flagged = (attributes: Record<string, unknown>) => findPersonalData(attributes).map((f) => f.attribute);

describe("findPersonalData: what Shopify must never receive (docs/platforms/shopify.md §1.3)", () => {
  it("finds email addresses, phone numbers and street addresses in values, under any key", () => {
    expect(flagged({ value: 1, contact: "ana.lopez+promo@example.co.uk" })).toEqual(["contact"]);
    expect(flagged({ to: "+1 (555) 123-4567", b: "+447911123456", c: "call 555-123-4567 now", d: "(555) 123-4567" })).toEqual(["to", "b", "c", "d"]);
    expect(flagged({ ship: "221B Baker Street", b: "1600 Pennsylvania Ave NW", c: "Hauptstraße 5", d: "PO Box 1234" })).toEqual(["ship", "b", "c", "d"]);
    expect(findPersonalData({ contact: "ana@example.com" })[0]!.reason).toBe("the value looks like an email address");
  });

  it("finds keys that name personal data when they carry a value", () => {
    const keys = [
      "email",
      "name",
      "phone",
      "address",
      "first_name",
      "lastName",
      "customer_email",
      "billing_address",
      "shipping.address",
      "zip_code",
      "date_of_birth",
      "ip_address",
      "mobile_number",
      "tel",
      "full-name",
      "username",
      "street",
    ];
    for (const k of keys) expect(flagged({ [k]: /phone|tel|mobile/.test(k) ? "5551234" : "x9 something" }), k).toEqual([k]);
    expect(findPersonalData({ first_name: "Ana" })[0]!.reason).toBe(`the name "first_name" says it holds a person's name`);
  });

  it("finds an email address written as a key", () => {
    expect(flagged({ "ana@example.com": true })).toEqual(["ana@example.com"]);
  });

  it("finds a phone number given as a number under a phone key, not a count", () => {
    expect(flagged({ phone: 15551234567 })).toEqual(["phone"]);
    expect(flagged({ phone: 3 })).toEqual([]);
  });

  it("leaves counts, flags, timestamps, ids and ordinary names of things alone", () => {
    expect(
      flagged({
        value: 100,
        sms_sent: 100,
        emails_sent: 2500,
        email_sent: true,
        phone_calls: "3",
        email_opt_in: "yes",
        plan_name: "Pro annual",
        product_name: "Blue T-shirt",
        file_name: "report.pdf",
        event_name: "checkout",
        at: "2026-01-27T14:30:00Z",
        with_offset: "2026-01-27T14:30:00+05:30",
        compact: "2026-01-27T14:30:00+0530",
        day: "2026-01-27",
        order: "1234567890123",
        uuid: "7dd21ebc-a097-43ac-8763-2806daee84a1",
        amount: "12345.67",
        version: "1.2.3.4",
        note: "5 files on Google Drive",
        route: "2 items in place",
        mail_sent: "ok",
        mobile_sessions: "40",
        campaign: "spring_sale",
        sku: "SKU-123-45",
        ratio: "+12.5",
        hotel: "Grand",
      }),
    ).toEqual([]);
  });

  it("words its message with every attribute and why", () => {
    expect(personalDataMessage(findPersonalData({ email: "ana@example.com", phone: "+15551234567" }))).toBe(
      "Shopify forbids personal data in attributes: email (the value looks like an email address); phone (the value looks like a phone number).",
    );
  });

  // Property tests: what is personal is always caught; what is plainly not personal never is.
  const safeKey = fc.constantFrom("value", "sms_sent", "campaign", "plan_name", "channel", "region", "batch", "retry", "tier", "source");

  it("catches every generated email address, in any value and at any place in the text", () => {
    fc.assert(
      fc.property(safeKey, fc.emailAddress(), fc.string({ maxLength: 20 }), (key, email, around) => {
        expect(personalText(`${around} ${email} ${around}`)).toBe("looks like an email address");
        expect(flagged({ [key]: email })).toEqual([key]);
      }),
      { numRuns: 2000 },
    );
  });

  it("catches every generated international phone number, however it is spaced", () => {
    fc.assert(
      fc.property(safeKey, fc.stringMatching(/^\d{7,15}$/), fc.constantFrom("", " ", "-", "."), (key, digits, sep) => {
        const spaced = `+${digits.slice(0, 2)}${sep}${digits.slice(2, 5)}${sep}${digits.slice(5)}`;
        expect(flagged({ [key]: spaced })).toEqual([key]);
      }),
      { numRuns: 2000 },
    );
  });

  it("never flags a number, boolean, timestamp, date, UUID or decimal under an ordinary key", () => {
    const harmless = fc.oneof(
      fc.double({ noNaN: true }),
      fc.integer(),
      fc.boolean(),
      fc.date({ min: new Date("1970-01-01"), max: new Date("9999-12-31"), noInvalidDate: true }).map((d) => d.toISOString()),
      fc.date({ min: new Date("1970-01-01"), max: new Date("9999-12-31"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
      fc.date({ min: new Date("1970-01-01"), max: new Date("9999-12-31"), noInvalidDate: true }).map((d) => d.toISOString().replace("Z", "+05:30")),
      fc.uuid(),
      fc.stringMatching(/^-?\d{1,14}(\.\d{1,10})?$/),
      fc.stringMatching(/^[a-z][a-z0-9_]{0,40}$/),
    );
    fc.assert(
      fc.property(fc.dictionary(safeKey, harmless, { maxKeys: 15 }), (attributes) => {
        expect(findPersonalData(attributes)).toEqual([]);
      }),
      { numRuns: 5000 },
    );
  });

  it("never flags a count or flag under a personal key, and always flags text there", () => {
    const personal = fc.constantFrom("email", "name", "phone", "address", "first_name", "customer_email", "shipping_address");
    fc.assert(
      fc.property(personal, fc.oneof(fc.integer({ min: 0, max: 999_999 }), fc.boolean()), (key, v) => {
        expect(flagged({ [key]: v })).toEqual([]);
      }),
    );
    fc.assert(
      fc.property(
        personal.filter((k) => k !== "phone"),
        fc.stringMatching(/^[A-Z][a-z]{2,12} [A-Z][a-z]{2,12}$/),
        (key, v) => {
          expect(flagged({ [key]: v })).toEqual([key]);
        },
      ),
    );
  });

  it("reads keys by their words, so a thing's name is not a person's", () => {
    expect(personalKey("plan_name")).toBeNull();
    expect(personalKey("customerName")).toBe("a person's name");
    expect(personalKey("wallet_address")).toBeNull();
    expect(personalKey("mail")).toBe("an email address");
  });
});
