// Module hooks (they run on their own thread): record each module as it loads.
import { appendFileSync } from "node:fs";

export async function load(url, context, nextLoad) {
  if (process.env.GRAPEVINE_LOADED_LOG) appendFileSync(process.env.GRAPEVINE_LOADED_LOG, `${url}\n`);
  return nextLoad(url, context);
}
