// Graph change notifications for the connections' subscriptions (lib/sync/live/receive.ts): no
// session — a notification is authenticated by its subscription's client state.
import { getDb } from "@/db";
import { answerChangeNotifications, notificationRoute } from "@/lib/sync/live/receive";

export const dynamic = "force-dynamic";

export const POST = notificationRoute(answerChangeNotifications, getDb);
