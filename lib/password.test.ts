import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "./password";

describe("password hashing", () => {
  it("verifies the right password and rejects a wrong one", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(hash).toMatch(/^\$2[aby]\$10\$/);
    expect(hash).not.toContain("correct");
    expect(await verifyPassword("correct horse battery", hash)).toBe(true);
    expect(await verifyPassword("correct horse batterx", hash)).toBe(false);
  });

  it("salts: the same password hashes differently each time", async () => {
    expect(await hashPassword("same-password")).not.toBe(await hashPassword("same-password"));
  });

  it("refuses passwords bcrypt would silently truncate, and too-short ones", async () => {
    await expect(hashPassword("short")).rejects.toThrow(/too short/);
    await expect(hashPassword("é".repeat(40))).rejects.toThrow(/too long/);
    const hash = await hashPassword("a".repeat(72));
    expect(await verifyPassword(`${"a".repeat(72)}b`, hash)).toBe(false);
  });
});
