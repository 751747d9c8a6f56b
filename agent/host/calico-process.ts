/**
 * Whether calico-node still runs on the node: scan `<procRoot>/<pid>/comm` (the agent shares the
 * host's PID namespace, so host processes show there).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { CALICO_NODE_COMM } from './calico-names.js';

const readComm = async (procRoot: string, pid: string): Promise<string> => {
  try {
    return (await readFile(path.join(procRoot, pid, 'comm'), 'utf8')).trim();
  } catch {
    return ''; // the process exited while we looked
  }
};

/** PIDs whose command name is calico-node. */
export async function findCalicoNodeProcesses(procRoot: string): Promise<string[]> {
  const pids = (await readdir(procRoot)).filter((e) => /^\d+$/.test(e));
  const comms = await Promise.all(pids.map((pid) => readComm(procRoot, pid)));
  return pids.filter((_, i) => comms[i] === CALICO_NODE_COMM);
}
