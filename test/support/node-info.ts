/** A complete `status.nodeInfo` for test Nodes, differing only in the boot id. */
import type { V1NodeSystemInfo } from '@kubernetes/client-node';

export const nodeInfo = (bootID: string): V1NodeSystemInfo => ({
  architecture: 'amd64',
  bootID,
  containerRuntimeVersion: 'containerd://1.7',
  kernelVersion: '6.1.0',
  kubeProxyVersion: 'v1.28.7',
  kubeletVersion: 'v1.28.7',
  machineID: 'm',
  operatingSystem: 'linux',
  osImage: 'Debian',
  systemUUID: 'u',
});
