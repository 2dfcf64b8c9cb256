// The harness's end of the packet relay: starts it inside the router namespace and talks to it.
import { execa, type ResultPromise } from "execa";
import readline from "node:readline";
import { builtRelay } from "../../paths.js";
import { type RelayReply, RelayReply as RelayReplySchema, type RelayRequest, type RelayStats } from "./relay-protocol.js";

type Request = RelayRequest extends infer R ? (R extends { seq: number } ? Omit<R, "seq"> : never) : never;

export class RelayClient {
  private seq = 1;
  private readonly waiting = new Map<number, (reply: RelayReply) => void>();
  private exitedWith: string | undefined;

  private constructor(private readonly child: ResultPromise) {}

  /** Starts the relay in namespace `netns` and waits for it to say it is ready. */
  static async start(netns: string): Promise<RelayClient> {
    const child = execa("ip", ["netns", "exec", netns, process.execPath, builtRelay()], { stdin: "pipe", stdout: "pipe", stderr: "pipe", reject: false });
    const client = new RelayClient(child);
    const ready = new Promise<void>((resolve, reject) => {
      const lines = readline.createInterface({ input: child.stdout! });
      lines.on("line", (line) => {
        let reply: RelayReply;
        try {
          reply = RelayReplySchema.parse(JSON.parse(line));
        } catch {
          return;
        }
        if ("ready" in reply) resolve();
        else client.waiting.get(reply.seq)?.(reply);
      });
      void child.then((result) => {
        client.exitedWith = `the packet relay exited (${result.exitCode ?? result.signal}): ${String(result.stderr).slice(-500)}`;
        reject(new Error(client.exitedWith));
        for (const resolveWaiting of client.waiting.values()) resolveWaiting({ seq: -1, ok: false, error: client.exitedWith });
      });
    });
    await ready;
    return client;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async request(request: Request): Promise<RelayStats | undefined> {
    if (this.exitedWith) throw new Error(this.exitedWith);
    const seq = this.seq++;
    const reply = await new Promise<RelayReply>((resolve) => {
      this.waiting.set(seq, resolve);
      this.child.stdin!.write(JSON.stringify({ ...request, seq }) + "\n");
    });
    this.waiting.delete(seq);
    if ("ready" in reply) throw new Error("unexpected reply from the packet relay");
    if (!reply.ok) throw new Error(`packet relay: ${reply.error}`);
    return reply.stats;
  }

  async stats(): Promise<RelayStats> {
    return (await this.request({ op: "stats" }))!;
  }

  /** Closes its stdin (it exits by itself), then kills it if it has not. */
  async close(): Promise<void> {
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 2000);
    await this.child;
    clearTimeout(timer);
  }
}
