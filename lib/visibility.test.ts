import { describe, expect, it } from "vitest";
import { PLANS, VISIBILITIES } from "@/db/schema";
import { isVisibilityAllowed, visibilityOptionsForPlan } from "./visibility";

describe("visibility choices by plan", () => {
  it("Essential and Advanced offer owner & followers and entire company", () => {
    expect(visibilityOptionsForPlan("essential")).toEqual(["followers", "company"]);
    expect(visibilityOptionsForPlan("advanced")).toEqual(["followers", "company"]);
  });

  it("Professional, Power and Enterprise offer owner only, group, group and sub-groups, entire company", () => {
    for (const plan of ["professional", "power", "enterprise"] as const) {
      expect(visibilityOptionsForPlan(plan)).toEqual(["owner", "group", "group_subgroups", "company"]);
    }
  });

  it("every plan offers entire company, and isVisibilityAllowed agrees with the option lists", () => {
    for (const plan of PLANS) {
      expect(isVisibilityAllowed(plan, "company")).toBe(true);
      for (const v of VISIBILITIES) {
        expect(isVisibilityAllowed(plan, v)).toBe(visibilityOptionsForPlan(plan).includes(v));
      }
    }
    expect(isVisibilityAllowed("essential", "owner")).toBe(false);
    expect(isVisibilityAllowed("enterprise", "followers")).toBe(false);
  });
});
