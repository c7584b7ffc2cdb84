import type { ActionState } from "@/lib/action-state";
import type { ActivityItem } from "@/lib/sync/screens/dashboard";

export type ActionItemProps = {
  title: string;
  items: ActivityItem[];
  emptyText: string;
  restoreAction?: (state: ActionState, form: FormData) => Promise<ActionState>;
};
