// Keeping every message inside the wire's frame limit. A reply built from what a peer asked for
// (a full membership table, the entries of every leaf) could otherwise outgrow the frame, and a
// frame too large to send is a reply lost, or worse an exception in the shell.
import { MAX_FRAME_BYTES } from "../../specs/wire/frame.js";
import { updateBytes } from "./broadcast.js";

/**
 * The longest prefix of `items` that fits in one frame when put in `envelope`'s empty list:
 * the envelope's own JSON plus each item's text and comma stay within the limit. What does not
 * fit is left for the next exchange (the next push-pull or anti-entropy session).
 */
export function fitInFrame<T>(envelope: object, items: readonly T[], maxBytes = MAX_FRAME_BYTES): T[] {
  let room = maxBytes - Buffer.byteLength(JSON.stringify(envelope));
  const fitted: T[] = [];
  for (const item of items) {
    const bytes = updateBytes(item);
    if (bytes > room) break;
    room -= bytes;
    fitted.push(item);
  }
  return fitted;
}
