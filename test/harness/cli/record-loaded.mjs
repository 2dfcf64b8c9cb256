// Loaded with `node --import`: appends the URL of every module the process loads to the file named by
// GRAPEVINE_LOADED_LOG, so a test can tell which parts of the harness a command pulled in.
import { register } from "node:module";

register("./record-loaded-hooks.mjs", import.meta.url);
