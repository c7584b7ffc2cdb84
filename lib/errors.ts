// Expected errors carry a message meant for the person using the app; anything else is a bug,
// logged with context and shown as a generic message.

export class UserError extends Error {
  constructor(
    message: string,
    readonly fieldErrors: Record<string, string> = {},
  ) {
    super(message);
    this.name = "UserError";
  }
}

/** The thing does not exist or the viewer may not see it: both read as "not found". */
export class NotFoundError extends UserError {
  constructor(what = "This item") {
    super(`${what} was not found, or you do not have access to it.`);
    this.name = "NotFoundError";
  }
}

export class ForbiddenError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "ForbiddenError";
  }
}
