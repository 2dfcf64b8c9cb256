// The host tools a packet-level network is made with (`ip`, `nft`), and what is missing to use them.
import { execa } from "execa";

/** Packet-level faults cannot run here; the message says what is missing and what to do. Exit 2 at the CLI. */
export class PacketFaultsUnavailable extends Error {
  override readonly name = "PacketFaultsUnavailable";
}

/** What stands between this machine and packet-level faults: empty when nothing does. */
export async function missingForPacketFaults(): Promise<string[]> {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push("root (network namespaces and nftables rules need CAP_NET_ADMIN): run as root, or use --faults proxy");
  for (const [tool, pkg] of [
    ["ip", "iproute2"],
    ["nft", "nftables"],
  ] as const) {
    const found = await execa(tool, ["-V"], { reject: false }).catch(() => undefined);
    if (!found || found.exitCode !== 0) missing.push(`the \`${tool}\` command (apt-get install -y ${pkg})`);
  }
  return missing;
}

/** Throws PacketFaultsUnavailable naming everything missing. */
export async function requirePacketFaults(): Promise<void> {
  const missing = await missingForPacketFaults();
  if (missing.length > 0) throw new PacketFaultsUnavailable(`packet-level faults need ${missing.join("; and ")}`);
}

/** Runs `ip ARGS`; a failure throws with ip's own message. */
export async function ip(...args: string[]): Promise<string> {
  const result = await execa("ip", args, { reject: false });
  if (result.exitCode !== 0) throw new Error(`ip ${args.join(" ")}: ${String(result.stderr).trim() || `exit ${result.exitCode}`}`);
  return String(result.stdout);
}

/** Loads an nft script inside namespace `netns` in one transaction (all of it or none). */
export async function nft(netns: string, script: string): Promise<void> {
  const result = await execa("ip", ["netns", "exec", netns, "nft", "-f", "-"], { input: script, reject: false });
  if (result.exitCode !== 0) throw new Error(`nft in ${netns}: ${String(result.stderr).trim()}\n--- script ---\n${script}`);
}
