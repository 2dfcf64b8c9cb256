// `grapevine proxy`: the embedded Toxiproxy-compatible server on its own, for any Toxiproxy client.
import type { CommandModule } from "yargs";
import { UsageError } from "../usage-error.js";

interface ProxyArgs {
  host: string;
  port: number;
}

export const proxyCommand: CommandModule<object, ProxyArgs> = {
  command: "proxy",
  describe: "Serve the Toxiproxy 2.x HTTP API with Grapevine's embedded proxy, until SIGINT or SIGTERM",
  builder: (y) =>
    y
      .example("$0 proxy --port 8474", "the embedded Toxiproxy-compatible server, for toxiproxy-cli or any client")
      .option("host", { type: "string", default: "127.0.0.1", describe: "interface the API binds to (Toxiproxy's default is localhost)" })
      .option("port", { type: "number", default: 8474, describe: "API port (0: any free port)" }),
  handler: async (args) => {
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new UsageError("--port: must be a port number 0-65535");
    const { ToxiproxyServer } = await import("../../proxy/api-server.js");
    const server = new ToxiproxyServer();
    try {
      await server.listen(args.host, args.port);
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      if (e.code === "EADDRINUSE") throw new UsageError(`--port ${args.port}: address already in use (is another Toxiproxy running?)`);
      throw new UsageError(`cannot listen on ${args.host}:${args.port}: ${e.message}`);
    }
    process.stdout.write(`${JSON.stringify({ ready: true, url: server.url })}\n`);
    const shutdown = () => void server.close().then(() => process.exit(0));
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
  },
};
