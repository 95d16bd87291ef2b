import type { Role } from "../generated/prisma/enums";

const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** admin ⊇ operator ⊇ viewer. */
export const hasRole = (role: Role, atLeast: Role) => rank[role] >= rank[atLeast];
