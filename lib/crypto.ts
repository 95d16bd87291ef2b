import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { env } from "./env";
import { AppError } from "./errors";

/** Secrets at rest: AES-256-GCM with APP_ENCRYPTION_KEY. Format v1:<iv>:<tag>:<ciphertext>, base64. */
function key(): Buffer {
  const raw = env().APP_ENCRYPTION_KEY;
  if (!raw) throw new AppError("CONFLICT", "APP_ENCRYPTION_KEY is not set: secrets cannot be stored or read");
  return Buffer.from(raw, "base64");
}

export function encryptSecret(plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(), iv);
  const ciphertext = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64"), cipher.getAuthTag().toString("base64"), ciphertext.toString("base64")].join(":");
}

export function decryptSecret(stored: string): string {
  const [version, iv, tag, ciphertext] = stored.split(":");
  if (version !== "v1" || !iv || !tag || ciphertext === undefined) throw new Error("unreadable encrypted secret");
  const decipher = createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64"));
  decipher.setAuthTag(Buffer.from(tag, "base64"));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64")), decipher.final()]).toString("utf8");
}

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** An ingest API key: shown once, stored as its sha256. */
export function newApiKey(): { key: string; prefix: string; hash: string } {
  const key = `pbk_${randomBytes(24).toString("base64url")}`;
  return { key, prefix: key.slice(0, 10), hash: sha256(key) };
}
