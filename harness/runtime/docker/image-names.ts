// The images the Docker runtime uses, by name: a module of its own so the CLI can name them without loading dockerode.

/** The image every reference-node and embedded-proxy container runs. */
export const GRAPEVINE_IMAGE = "grapevine/reference-node:local";
/** Used for the proxy when the engine has it (nothing is ever pulled). */
export const TOXIPROXY_IMAGE = "ghcr.io/shopify/toxiproxy:latest";
/** Where the project sits inside the image. */
export const APP_DIR = "/app";
/** The reference node's own entry inside the image (reference-node/main.ts, bundled by npm run build). */
export const NODE_ENTRY = `${APP_DIR}/dist/reference-node/node.bundle.mjs`;
