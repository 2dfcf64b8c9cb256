// One proxied TCP connection: the client's socket, the upstream socket, and a link for each direction.
import type net from "node:net";
import type { ToxicDef } from "./toxic-def.js";
import { Link, type LinkOwner } from "./link.js";

export class Connection implements LinkOwner {
  readonly upstreamLink: Link;
  readonly downstreamLink: Link;
  private readonly finished = new Set<Link>();
  private closed = false;
  /** Toxiproxy sets SO_LINGER 0 only on connections that open while a reset_peer toxic is present. */
  private readonly resetAtOpen: boolean;

  constructor(
    private readonly client: net.Socket,
    private readonly upstream: net.Socket,
    toxics: { upstream: readonly ToxicDef[]; downstream: readonly ToxicDef[] },
    private readonly onGone: (connection: Connection) => void,
  ) {
    this.resetAtOpen = [...toxics.upstream, ...toxics.downstream].some((t) => t.type === "reset_peer");
    this.upstreamLink = new Link("upstream", client, upstream, this, toxics.upstream);
    this.downstreamLink = new Link("downstream", upstream, client, this, toxics.downstream);
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      socket.on("error", () => undefined);
      socket.on("close", () => this.maybeGone());
    }
    this.upstreamLink.start();
    this.downstreamLink.start();
  }

  link(stream: "upstream" | "downstream"): Link {
    return stream === "upstream" ? this.upstreamLink : this.downstreamLink;
  }

  random(): number {
    return Math.random();
  }

  /**
   * A direction passed on all its data and its source ended. As in Toxiproxy, closing one
   * direction closes the whole connection: the other direction passes on what it already
   * read, then both sockets close.
   */
  linkFinished(link: Link): void {
    this.finished.add(link);
    const other = link === this.upstreamLink ? this.downstreamLink : this.upstreamLink;
    const dest = link === this.upstreamLink ? this.upstream : this.client;
    dest.end();
    other.endOfSource();
    if (this.finished.size === 2) this.close("fin");
  }

  /** Closes both sockets: after flushing what was written ("fin"), or at once with a reset ("rst"). */
  close(mode: "fin" | "rst"): void {
    if (this.closed) return;
    this.closed = true;
    this.upstreamLink.stop();
    this.downstreamLink.stop();
    for (const socket of [this.client, this.upstream]) {
      if (mode === "rst" && this.resetAtOpen) socket.resetAndDestroy();
      else if (socket.writableFinished || socket.destroyed) socket.destroy();
      else {
        socket.end(() => socket.destroy());
        // A peer that never reads would keep the socket half-open; do not wait for it forever.
        setTimeout(() => socket.destroy(), 5000).unref();
      }
    }
  }

  /** Drops the connection at once (the proxy was disabled or deleted). */
  destroy(): void {
    this.closed = true;
    this.upstreamLink.stop();
    this.downstreamLink.stop();
    this.client.destroy();
    this.upstream.destroy();
  }

  private maybeGone(): void {
    if (this.client.destroyed && this.upstream.destroyed) this.onGone(this);
  }
}
