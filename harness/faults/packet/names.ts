// What a packet-level network is called: every namespace, interface and address derives from the
// run (the harness's pid and a counter), so two runs never collide and a later run can tell which
// leftovers belong to a harness that is gone.

/** Every namespace a run makes starts with this; the sweep looks for nothing else. */
export const NETNS_PREFIX = "gvp-";
/** The router's interface towards the harness on the host (the peer of the host's gvh… link). */
export const HARNESS_LINK = "harness";

export interface NetNames {
  /** The run's own token: `<pid>-<n>`. */
  run: string;
  /** The router namespace every node's traffic crosses (where the faults and the relay live). */
  router: string;
  /** The host side of the link from the harness into the router (at most 15 characters, as Linux requires). */
  hostIf: string;
  /** The router side of that link. */
  routerHostIf: string;
  /** The /24 the run's addresses come from, as its first three octets ("10.211.37"). */
  subnet: string;
  /** The router's address (on every one of its interfaces) and the harness's. */
  routerAddr: string;
  hostAddr: string;
}

/** The names of run number `n` of harness `pid`, in `subnet`. */
export function netNames(pid: number, n: number, subnet: string): NetNames {
  const run = `${pid}-${n}`;
  const short = `${pid.toString(36)}${n.toString(36)}`.slice(-11);
  return {
    run,
    router: `${NETNS_PREFIX}${run}-r`,
    hostIf: `gvh${short}`,
    routerHostIf: HARNESS_LINK,
    subnet,
    routerAddr: `${subnet}.1`,
    hostAddr: `${subnet}.2`,
  };
}

/** Node number `index` (0-based): its namespace, address and the router's interface towards it. */
export function nodeNames(names: NetNames, index: number): { netns: string; addr: string; routerIf: string } {
  if (index > 240) throw new RangeError(`a packet-level network holds at most 241 nodes, not ${index + 1}`);
  return { netns: `${names.router.slice(0, -2)}-n${index}`, addr: `${names.subnet}.${index + 10}`, routerIf: `n${index}` };
}

/** The harness pid a namespace name belongs to, or undefined for a name that is not ours. */
export function ownerPid(netns: string): number | undefined {
  const match = new RegExp(`^${NETNS_PREFIX}(\\d+)-\\d+-`).exec(netns);
  return match ? Number(match[1]) : undefined;
}

/**
 * A /24 in 10.192.0.0/10 for run `n` of `pid` that no route on this machine covers yet: derived from
 * the pid so that concurrent harnesses start far apart, then the next free one. `inUse` lists the
 * destinations of the machine's IPv4 routes ("10.1.2.0/24", "default", "172.17.0.0/16").
 */
export function chooseSubnet(pid: number, n: number, inUse: string[]): string {
  const taken = inUse.map(parseCidr).filter((c): c is Cidr => c !== undefined);
  const start = (pid * 31 + n * 7) % 16384;
  for (let k = 0; k < 16384; k++) {
    const slot = (start + k) % 16384;
    const subnet = `10.${192 + (slot >> 8)}.${slot & 255}`;
    const base = ipToInt(`${subnet}.0`);
    if (!taken.some((c) => overlaps(c, { base, bits: 24 }))) return subnet;
  }
  throw new Error("no free /24 left in 10.192.0.0/10 for a packet-level network");
}

interface Cidr {
  base: number;
  bits: number;
}

function parseCidr(text: string): Cidr | undefined {
  const match = /^(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  const bits = match[2] === undefined ? 32 : Number(match[2]);
  return { base: (ipToInt(match[1]!) & mask(bits)) >>> 0, bits };
}

const mask = (bits: number) => (bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0);

function overlaps(a: Cidr, b: Cidr): boolean {
  const bits = Math.min(a.bits, b.bits);
  return (a.base & mask(bits)) >>> 0 === (b.base & mask(bits)) >>> 0;
}

export function ipToInt(ip: string): number {
  return ip.split(".").reduce((n, octet) => ((n << 8) | Number(octet)) >>> 0, 0);
}
