import { getDb } from "@/db";
import { getPersonPicture } from "@/db/queries/persons";
import { imageTypeOf } from "@/lib/persons/picture";
import { currentViewer } from "@/lib/viewer";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const viewer = await currentViewer();
  if (!viewer) return Response.json({ error: "Sign in first." }, { status: 401 });
  const { id } = await params;
  const picture = await getPersonPicture(await getDb(), viewer, id);
  // Only what is an image by its own bytes (pictures stored before that rule may not be).
  if (!picture || !imageTypeOf(picture.data)) return Response.json({ error: "Not found." }, { status: 404 });
  return new Response(new Uint8Array(picture.data), {
    headers: {
      "content-type": imageTypeOf(picture.data)!,
      "cache-control": "private, max-age=300",
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'",
    },
  });
}
