// RSA key pairs (RS256). Generated on first start and kept in the state file only.
import { generateKeyPairSync } from "node:crypto";
import { importPKCS8, importSPKI, type CryptoKey } from "jose";
import type { KeyPair } from "./state";

export function generateKeyPair(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

const imported = new Map<string, Promise<CryptoKey>>();

/** Imports a PEM key once per process (token checks run on every App Events request). */
export function importKey(pem: string, kind: "private" | "public"): Promise<CryptoKey> {
  let key = imported.get(pem);
  if (!key) {
    key = kind === "private" ? importPKCS8(pem, "RS256") : importSPKI(pem, "RS256");
    imported.set(pem, key);
  }
  return key;
}
