// Graph lifecycle notifications (reauthorization required, subscription removed, missed) for
// the connections' subscriptions (lib/sync/live/receive.ts).
import { getDb } from "@/db";
import { answerLifecycleNotifications, notificationRoute } from "@/lib/sync/live/receive";

export const dynamic = "force-dynamic";

export const POST = notificationRoute(answerLifecycleNotifications, getDb);
