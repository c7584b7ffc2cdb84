// Shared by server actions and the client forms that show their result.
export type ActionState = {
  ok: boolean;
  message?: string;
  fieldErrors?: Record<string, string>;
};

export const INITIAL_STATE: ActionState = { ok: false };
