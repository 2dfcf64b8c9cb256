// `grapevine proxy` as a user runs it: serves the Toxiproxy API until signalled; bad input exits 2.
import net from "node:net";
import { execa } from "execa";
import t from "tap";
import { Toxiproxy } from "toxiproxy-node-client";
import { builtCli } from "../../../harness/paths.js";

t.test("serves the API, prints where, and exits 0 on SIGTERM", async (t) => {
  const child = execa(process.execPath, [builtCli(), "proxy", "--port", "0"], { reject: false });
  const line = await new Promise<string>((resolve) => child.stdout!.once("data", (d: Buffer) => resolve(d.toString())));
  const { url } = JSON.parse(line) as { url: string };
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const client = new Toxiproxy(url);
  t.same(await client.getAll(), {});
  child.kill("SIGTERM");
  t.equal((await child).exitCode, 0);
});

t.test("a port in use exits 2 and says so", async (t) => {
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  t.teardown(() => taken.close());
  const port = (taken.address() as net.AddressInfo).port;
  const result = await execa(process.execPath, [builtCli(), "proxy", "--port", String(port)], { reject: false, timeout: 10_000 });
  t.equal(result.exitCode, 2);
  t.match(result.stderr, /address already in use/);
});
