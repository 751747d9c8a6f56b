/**
 * argv of the reboot request, kured's way. Both need the pod to share the host's PID namespace.
 * - systemctl: enter PID 1's mount namespace and ask systemd for a clean reboot (needs privileged).
 * - signal: SIGRTMIN+5 to PID 1, which systemd treats as "reboot" (needs CAP_KILL).
 */
export type RebootMethod = 'systemctl' | 'signal';

export function rebootArgv(method: RebootMethod): string[] {
  switch (method) {
    case 'systemctl':
      return ['nsenter', '-m/proc/1/ns/mnt', '--', '/bin/systemctl', 'reboot'];
    case 'signal':
      return ['kill', '-s', 'SIGRTMIN+5', '1'];
  }
}
