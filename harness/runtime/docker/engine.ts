// The Docker engine: connecting with errors that say what to do, labels on everything a run makes, and the sweep.
import Docker from "dockerode";
import { processAlive } from "../../process-alive.js";

/** Every container and network a run creates carries these, so that nothing is left behind unnoticed. */
export const LABEL_RUN = "io.grapevine.run";
export const LABEL_OWNER_PID = "io.grapevine.owner-pid";
export const LABEL_ROLE = "io.grapevine.role";

/** A problem with the engine a user can fix: the message says how. */
export class DockerRuntimeError extends Error {
  override readonly name = "DockerRuntimeError";
}

export async function connectDocker(): Promise<Docker> {
  const docker = new Docker();
  try {
    await docker.ping();
  } catch (error) {
    const where = process.env.DOCKER_HOST ?? "/var/run/docker.sock";
    throw new DockerRuntimeError(
      `no Docker engine answers at ${where} (${(error as Error).message}). Start one, e.g. \`dockerd --iptables=false --storage-driver=overlay2 &\` as root (vfs without overlayfs), or set DOCKER_HOST.`,
    );
  }
  return docker;
}

/**
 * Removes the containers and networks of earlier runs whose harness is gone (killed with
 * SIGKILL, or the machine's power cut): their owner pid no longer exists. Runs still going
 * in other processes are left alone. Returns what it removed.
 */
export async function sweepLeftovers(docker: Docker): Promise<{ containers: string[]; networks: string[] }> {
  const orphaned = (labels: Record<string, string> | undefined) => {
    const pid = Number(labels?.[LABEL_OWNER_PID]);
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid);
  };
  const containers = (await docker.listContainers({ all: true, filters: { label: [LABEL_RUN] } })).filter((c) => orphaned(c.Labels));
  await Promise.allSettled(containers.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  const networks = (await docker.listNetworks({ filters: { label: [LABEL_RUN] } })).filter((n) => orphaned(n.Labels));
  await Promise.allSettled(networks.map((n) => docker.getNetwork(n.Id).remove()));
  return { containers: containers.map((c) => c.Names[0] ?? c.Id), networks: networks.map((n) => n.Name) };
}

/** Removes everything labelled with this run id: containers first (they hold the network), then networks. */
export async function removeRun(docker: Docker, runId: string): Promise<void> {
  const filter = { label: [`${LABEL_RUN}=${runId}`] };
  const containers = await docker.listContainers({ all: true, filters: filter });
  await Promise.allSettled(containers.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  const networks = await docker.listNetworks({ filters: filter });
  await Promise.allSettled(networks.map((n) => docker.getNetwork(n.Id).remove()));
}
