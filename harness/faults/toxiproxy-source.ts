// Where the proxies come from: a Toxiproxy the user names, a toxiproxy-server on PATH, or Grapevine's embedded server.
import { execa, type ResultPromise } from "execa";
import { ToxiproxyServer } from "../proxy/api-server.js";
import { freePorts } from "../ports.js";
import { ProxyApi, ProxyApiError } from "./proxy-api.js";

export interface ToxiproxySource {
  api: ProxyApi;
  /** given, spawned (toxiproxy-server on PATH), embedded (in this process), or a container of the Docker runtime. */
  kind: "given" | "spawned" | "embedded" | "container-toxiproxy" | "container-embedded";
  /** Stops what this source started (nothing for a given server). */
  close(): Promise<void>;
  /** Connections opened through its proxies so far: only the embedded server in this process can say (Toxiproxy's API does not). */
  connectionsAccepted?(): number;
}

/** Finds an executable on PATH, or undefined. */
async function onPath(command: string): Promise<string | undefined> {
  const result = await execa("sh", ["-c", `command -v ${command}`], { reject: false });
  return result.exitCode === 0 ? String(result.stdout).trim() || undefined : undefined;
}

/** Polls a Toxiproxy API until it answers; rethrows the last error after timeoutMs. */
export async function waitForApi(api: ProxyApi, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await api.version();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A server a runtime started for its nodes (a container): ready once its API answers, removed if it never does. */
export async function adoptToxiproxy(server: {
  url: string;
  kind: "container-toxiproxy" | "container-embedded";
  close(): Promise<void>;
}): Promise<ToxiproxySource> {
  const api = new ProxyApi(server.url);
  try {
    await waitForApi(api, 30_000);
  } catch (error) {
    await server.close();
    throw new ProxyApiError(`the proxy container did not answer at ${api.url}: ${(error as Error).message}`, undefined);
  }
  return { api, kind: server.kind, close: () => server.close() };
}

/**
 * `url` given: use that server (and check it answers). Otherwise a `toxiproxy-server` on PATH is
 * started on a free loopback port; otherwise the embedded server runs in this process.
 */
export async function obtainToxiproxy(options: { url?: string | undefined; allowPath?: boolean } = {}): Promise<ToxiproxySource> {
  if (options.url) {
    const api = new ProxyApi(options.url.replace(/\/$/, ""));
    try {
      await api.version();
    } catch (error) {
      throw new ProxyApiError(
        `no Toxiproxy answers at ${options.url} (${(error as Error).message}); start one or leave out --toxiproxy to use the embedded server`,
        undefined,
      );
    }
    return { api, kind: "given", close: async () => undefined };
  }
  const binary = options.allowPath === false ? undefined : await onPath("toxiproxy-server");
  if (binary) {
    const [port] = await freePorts(1);
    const child: ResultPromise = execa(binary, ["-host", "127.0.0.1", "-port", String(port)], { reject: false, stdio: "ignore" });
    const api = new ProxyApi(`http://127.0.0.1:${port}`);
    try {
      await waitForApi(api, 10_000);
    } catch (error) {
      child.kill("SIGKILL");
      throw new ProxyApiError(`${binary} did not answer on port ${port}: ${(error as Error).message}`, undefined);
    }
    return {
      api,
      kind: "spawned",
      close: async () => {
        child.kill("SIGTERM");
        await child;
      },
    };
  }
  const server = new ToxiproxyServer();
  await server.listen("127.0.0.1", 0);
  return { api: new ProxyApi(server.url), kind: "embedded", close: () => server.close(), connectionsAccepted: () => server.collection.connectionsAccepted };
}
