/**
 * Contact photos: GET /photo (metadata), GET /photo/$value (bytes),
 * PUT|PATCH /photo/$value (an image body ≤ 4 MB), DELETE /photo/$value.
 * Sized `photos/{size}` is not supported for contacts, as on Graph.
 */
import { bytesReply, emptyReply, jsonReply, type Reply } from "../shared/http";
import { sniffImage } from "../shared/images";
import { resolveContact, resolveFolder } from "./contacts";
import { graphBase, type GraphContext } from "./context";
import { badRequest, graphError } from "./errors";
import type { StoredContact } from "./mailbox";

function contactOf(ctx: GraphContext): StoredContact {
  const folder = ctx.params[0] ? resolveFolder(ctx.mailbox, ctx.params[0]) : null;
  return resolveContact(ctx.mailbox, folder, ctx.params[1] ?? "");
}

const noPhoto = (): Error => graphError(404, "ImageNotFound", "The photo wasn't found.");

export function getPhotoMetadata(ctx: GraphContext): Reply {
  const contact = contactOf(ctx);
  if (!contact.photo) throw noPhoto();
  const p = contact.photo;
  return jsonReply(200, {
    "@odata.context": `${graphBase(ctx.state)}/$metadata#users('${ctx.mailbox.userId}')/contacts('${contact.id}')/photo/$entity`,
    "@odata.mediaContentType": p.contentType,
    "@odata.mediaEtag": `"${p.etag}"`,
    id: `${p.width}X${p.height}`,
    height: p.height,
    width: p.width,
  });
}

export function getPhotoValue(ctx: GraphContext): Reply {
  const contact = contactOf(ctx);
  if (!contact.photo) throw noPhoto();
  return bytesReply(200, contact.photo.bytes, contact.photo.contentType, { etag: `"${contact.photo.etag}"` });
}

export function putPhotoValue(ctx: GraphContext): Reply {
  const contact = contactOf(ctx);
  const bytes = ctx.req.body;
  if (bytes.length === 0) throw badRequest("Empty photo payload.");
  if (bytes.length > ctx.state.config.maxPhotoBytes) throw graphError(413, "ErrorRequestEntityTooLarge", "The photo exceeds the maximum supported size of 4 MB.");
  const info = sniffImage(bytes);
  if (!info) throw graphError(400, "ErrorInvalidImage", "The photo is not a supported image format.");
  ctx.mailbox.setPhoto(contact, { bytes, contentType: info.contentType, width: info.width, height: info.height });
  return emptyReply(200);
}

export function deletePhotoValue(ctx: GraphContext): Reply {
  const contact = contactOf(ctx);
  if (!contact.photo) throw noPhoto();
  ctx.mailbox.clearPhoto(contact);
  return emptyReply(204);
}

export function sizedPhotosUnsupported(): Reply {
  throw badRequest("Unsupported segment type. ODataQuery: photos");
}
