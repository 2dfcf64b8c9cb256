// Makes a packet network with two nodes and a process running in one, prints its names, then waits
// to be killed (the sweep test SIGKILLs it, as a crash of the harness would). Stops by itself after 60 s.
import { execa } from "execa";
const { PacketEngine } = await import(process.argv[2]);
const engine = await PacketEngine.create();
await engine.add([
  { id: "a", addr: "127.0.0.1:7946" },
  { id: "b", addr: "127.0.0.1:7946" },
]);
await engine.partition({ b: ["a"] });
const sleeper = execa("ip", ["netns", "exec", engine.placement("a").netns, "sleep", "60"], { reject: false });
process.stdout.write(
  JSON.stringify({
    router: engine.network.names.router,
    nodes: [engine.placement("a").netns, engine.placement("b").netns],
    hostIf: engine.network.names.hostIf,
    sleeper: sleeper.pid,
  }) + "\n",
);
setTimeout(() => process.exit(0), 60_000);
