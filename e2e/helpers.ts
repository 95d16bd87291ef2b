import { expect, type Page } from "@playwright/test";
import pg from "pg";

export const users = {
  admin: { email: "admin@example.com", password: "billing-demo-admin", name: "Demo Admin" },
  operator: { email: "operator@example.com", password: "billing-demo-operator", name: "Demo Operator" },
  viewer: { email: "viewer@example.com", password: "billing-demo-viewer", name: "Demo Viewer" },
} as const;

export async function signIn(page: Page, who: keyof typeof users) {
  const u = users[who];
  await page.goto("/login");
  await page.getByLabel("Email").fill(u.email);
  await page.getByLabel("Password").fill(u.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-user").first()).toHaveText(u.name, { timeout: 15_000 }); // a cold server on a busy machine
}

/** A client on the e2e server's own database (the e2e Postgres, one database per E2E_PORT). */
export async function e2eDb() {
  const url = new URL(process.env.E2E_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres");
  url.pathname = `/pbd_e2e_${process.env.E2E_PORT ?? "3100"}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return client;
}
