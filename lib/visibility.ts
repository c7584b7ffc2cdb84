// Visibility levels and which of them a company's plan offers: Essential and Advanced choose
// between "owner & followers" and "entire company"; Professional and up between the four others.
import type { Plan, Visibility } from "@/db/schema";

export const VISIBILITY_LABELS: Record<Visibility, string> = {
  owner: "Owner only",
  group: "Owner's visibility group",
  group_subgroups: "Owner's visibility group and sub-groups",
  followers: "Owner & followers",
  company: "Entire company",
};

export const VISIBILITY_HINTS: Record<Visibility, string> = {
  owner: "Only the owner (and global admins).",
  group: "Users with the same role as the owner.",
  group_subgroups: "Users with the owner's role or any role below it.",
  followers: "The owner and the users who follow the person.",
  company: "Every user of the company.",
};

const BASIC: readonly Visibility[] = ["followers", "company"];
const ROLE_BASED: readonly Visibility[] = ["owner", "group", "group_subgroups", "company"];

/** The levels a company on this plan may choose for new settings, in display order. */
export function visibilityOptionsForPlan(plan: Plan): readonly Visibility[] {
  return plan === "essential" || plan === "advanced" ? BASIC : ROLE_BASED;
}

export function isVisibilityAllowed(plan: Plan, visibility: Visibility): boolean {
  return visibilityOptionsForPlan(plan).includes(visibility);
}

/** Whether everyone `a` lets see a person is let in by `b` too (for any owner, role tree and
 * followers): "owner only" is inside every level, the owner's group inside the group and its
 * sub-groups, and every level inside the entire company. */
export function isWithin(a: Visibility, b: Visibility): boolean {
  return a === b || a === "owner" || b === "company" || (a === "group" && b === "group_subgroups");
}

/** Offered by every plan, so a safe default everywhere. */
export const DEFAULT_VISIBILITY: Visibility = "company";

export const PLAN_LABELS: Record<Plan, string> = {
  essential: "Essential",
  advanced: "Advanced",
  professional: "Professional",
  power: "Power",
  enterprise: "Enterprise",
};
