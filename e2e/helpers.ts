import { expect, type Page } from "@playwright/test";

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
