/** What an ingest API key may do: send events (POST /api/v1/events), read usage back (GET /api/v1/usage). */
export const API_KEY_SCOPES = ["ingest", "read_usage"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
