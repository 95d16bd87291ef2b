import pino from "pino";
import { env } from "./env";

/** Scoped with logger.child({ connectionId, platform }). Keep secrets, tokens and raw payloads out. */
export const logger = pino({
  level: env().LOG_LEVEL,
  redact: ["*.password", "*.clientSecret", "*.apiKey", "*.token", "*.authorization", "*.access_token"],
});
