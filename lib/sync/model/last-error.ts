// The fixed texts sync writes to a connection's last_error, and how the Contact Sync dashboard
// reads them in the user's language: each is the English of a message under "errors.lastError".
// The column keeps the English text (rows written before read the same); anything else found
// there (a provider's own error text) is shown as it is. Imports nothing: the dashboard's client
// components use it.

export const LAST_ERROR = {
  revoked: "The account's access was revoked or has expired. Reconnect the account to resume syncing.",
  heldDeletions: "Held back deletions: confirm or reject them.",
  pausedUserInactive: "Paused: the user was deactivated. It resumes only when they resume it.",
  pausedNoPermission: 'Paused: the user no longer has both the "add persons" and "add organizations" permissions. It resumes only when they resume it.',
  writeAccessNeeded: "Allow write access to your contacts to sync both ways.",
  previewRevoked: "The account's access was revoked or has expired. Reconnect the account, then the preview is prepared again.",
  previewListingFailed: "The address book could not be listed to prepare the first sync. Nothing was synced; try again in a moment.",
  bookTooLarge: "The address book holds more than the 50,000 contacts Tandem syncs from one address book. Sync a smaller address book or group.",
} as const;

export type LastErrorKey = keyof typeof LAST_ERROR;

const KEY_OF_TEXT = new Map(Object.entries(LAST_ERROR).map(([key, text]) => [text as string, key as LastErrorKey]));

/** The stored text as the user reads it: `t` reads the "errors.lastError" messages. */
export function lastErrorText(stored: string, t: (key: LastErrorKey) => string): string {
  const key = KEY_OF_TEXT.get(stored);
  return key ? t(key) : stored;
}
