// A tiny Custom Charges provider for tests: it verifies each call's JWT with jose against the
// public key the sandbox publishes (issuer wix.com, audience = app id) and answers per method.
import http from "node:http";
import type { Body } from "./helpers";
import type { AddressInfo } from "node:net";
import { importSPKI, jwtVerify, type JWTPayload } from "jose";

export type ProviderCall = { method: string; contentType: string | undefined; token: string; payload: JWTPayload; data: { request: Body; metadata: Body } };
export type Answer = { status?: number; body: unknown };

export class FakeProvider {
  readonly calls: ProviderCall[] = [];
  readonly refused: { path: string; error: string }[] = [];
  /** Per method ("charge-limit", "charges", ...): what to answer. */
  answers: Record<string, (data: { request: Body; metadata: Body }) => Answer> = {};
  private server!: http.Server;
  url = "";

  constructor(
    private readonly appId: string,
    private readonly publicKeyPem: string,
    readonly basePath = "/api/wix/5e3d0b1a-0000-4000-8000-000000000002/",
  ) {}

  get baseUri(): string {
    return this.url + this.basePath;
  }

  callsTo(method: string): ProviderCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  async start(): Promise<this> {
    const key = await importSPKI(this.publicKeyPem, "RS256");
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", async () => {
        const token = Buffer.concat(chunks).toString();
        const method = (req.url ?? "").slice(this.basePath.length).replace(/^v1\//, "");
        const reply = (status: number, body: unknown) => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(body));
        };
        try {
          const { payload } = await jwtVerify(token, key, { issuer: "wix.com", audience: this.appId, algorithms: ["RS256"] });
          const data = payload.data as ProviderCall["data"];
          this.calls.push({ method, contentType: req.headers["content-type"], token, payload, data });
          const answer = this.answers[method]?.(data) ?? defaultAnswer(method);
          reply(answer.status ?? 200, answer.body);
        } catch (err) {
          this.refused.push({ path: req.url ?? "", error: (err as Error).message });
          reply(401, { error: "invalid signature" });
        }
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async post(path: string, body: string): Promise<number> {
    const res = await fetch(this.url + this.basePath + path, { method: "POST", headers: { "content-type": "text/plain" }, body });
    return res.status;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function defaultAnswer(method: string): Answer {
  if (method === "charge-limit") return { body: { chargeLimit: "50.00" } };
  if (method === "charges") return { body: { charges: [] } };
  return { body: {} };
}
