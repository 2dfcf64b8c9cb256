// Parsing `host:port` strings (IPv6 hosts in brackets).
export interface HostPort {
  host: string;
  port: number;
}

export function parseHostPort(text: string): HostPort {
  const at = text.lastIndexOf(":");
  if (at <= 0) throw new Error(`"${text}" is not host:port`);
  const host = text.slice(0, at).replace(/^\[(.*)\]$/, "$1");
  const port = Number(text.slice(at + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`"${text}" has no valid port (1-65535)`);
  return { host, port };
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
