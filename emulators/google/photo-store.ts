/**
 * Contact photo bytes, served without authentication at URLs shaped like
 * lh3.googleusercontent.com's (`/cm/...` for generated default avatars,
 * `/contacts/...` for uploaded photos; a `=s100` or `?sz=` size suffix is
 * accepted and ignored). Default avatars are rendered on demand from a seed,
 * so 25,000 contacts cost no image memory.
 */
import { placeholderAvatar } from "../shared/images";
import { randomToken } from "../shared/ids";

interface StoredPhoto {
  bytes: Buffer;
  contentType: string;
}

export class PhotoStore {
  private readonly uploaded = new Map<string, StoredPhoto>();
  private base = "";

  setBaseUrl(url: string): void {
    this.base = url;
  }

  defaultKey(seed: number): string {
    return `AAKd${seed.toString(36)}`;
  }

  defaultUrl(key: string): string {
    return `${this.base}/cm/${key}=s100`;
  }

  put(bytes: Buffer, contentType: string): string {
    const key = `AAcHTt${randomToken(24)}`;
    this.uploaded.set(key, { bytes, contentType });
    return key;
  }

  uploadedUrl(key: string): string {
    return `${this.base}/contacts/${key}=s100`;
  }

  remove(key: string): void {
    this.uploaded.delete(key);
  }

  /** Resolves `/cm/<key>=s100` or `/contacts/<key>` to bytes. */
  lookup(path: string): StoredPhoto | null {
    const m = /^\/(cm|contacts)\/([A-Za-z0-9_-]+?)(?:=[A-Za-z0-9-]+)?$/.exec(path);
    if (!m) return null;
    const key = m[2] ?? "";
    if (m[1] === "contacts") return this.uploaded.get(key) ?? null;
    if (!key.startsWith("AAKd")) return null;
    const seed = Number.parseInt(key.slice(4), 36);
    return Number.isFinite(seed) ? { bytes: placeholderAvatar(seed), contentType: "image/png" } : null;
  }

  reset(): void {
    this.uploaded.clear();
  }
}
