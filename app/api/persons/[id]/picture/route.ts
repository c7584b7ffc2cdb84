import { getDb } from "@/db";
import { getPersonPicture } from "@/db/queries/persons";
import { currentViewer } from "@/lib/viewer";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const viewer = await currentViewer();
  if (!viewer) return Response.json({ error: "Sign in first." }, { status: 401 });
  const { id } = await params;
  const picture = await getPersonPicture(await getDb(), viewer, id);
  if (!picture) return Response.json({ error: "Not found." }, { status: 404 });
  return new Response(new Uint8Array(picture.data), {
    headers: {
      "content-type": picture.contentType,
      "cache-control": "private, max-age=300",
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'",
    },
  });
}
