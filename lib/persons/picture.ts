// What a person's picture may be, whoever supplies it (an upload, a provider's photo): PNG, JPEG,
// GIF or WebP, as the bytes say — a file's name or a server's Content-Type can claim anything,
// and a picture is served from the app's own origin.
export const PICTURE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"] as const;
export type PictureType = (typeof PICTURE_TYPES)[number];

/** An uploaded picture's limit. */
export const PICTURE_MAX_BYTES = 2 * 1024 * 1024;
/** A provider's photo's limit (they are fetched, not chosen by the user). */
export const SYNCED_PICTURE_MAX_BYTES = 5 * 1024 * 1024;

export function imageTypeOf(data: Buffer): PictureType | null {
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "image/png";
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return "image/jpeg";
  if (data.subarray(0, 4).toString("ascii") === "GIF8") return "image/gif";
  if (data.subarray(0, 4).toString("ascii") === "RIFF" && data.subarray(8, 12).toString("ascii") === "WEBP") return "image/webp";
  return null;
}
