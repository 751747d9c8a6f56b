import { describe, it, expect } from '@jest/globals';
import { buildCheckPod, checkPodName, type ValidateOrder } from '../../../agent/checks/check-pod.js';
import { CHECK_SCRIPT } from '../../../agent/checks/check-script.js';
import { CHECK_CONTAINER_NAME, CheckEnv } from '../../../shared/checks.js';
import { APP_LABEL, CHECK_POD_COMPONENT, COMPONENT_LABEL } from '../../../shared/names.js';

const order: ValidateOrder = {
  kind: 'validate',
  id: 'order-7',
  expectedCidr: '10.245.0.0/16',
  peers: ['10.245.1.5', '10.245.2.9'],
  dnsName: 'kubernetes.default.svc.cluster.local',
  timeoutSeconds: 5,
};

const pod = buildCheckPod({
  nodeName: 'worker-1',
  namespace: 'cni-migrate',
  ownerPod: { name: 'cni-migrate-agent-abc', uid: 'uid-123' },
  image: 'ghcr.io/nicolaka/netshoot:v0.13',
  order,
});
const container = pod.spec?.containers[0];

describe('the check pod', () => {
  it('when built, then it is pinned to the node, tolerates everything, and is not on the host network', () => {
    expect(pod.spec?.nodeName).toBe('worker-1');
    expect(pod.spec?.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(pod.spec?.hostNetwork).toBe(false);
    expect(pod.spec?.restartPolicy).toBe('Never');
  });

  it('when built, then its deadline covers every check in sequence plus slack', () => {
    expect(pod.spec?.activeDeadlineSeconds).toBe(5 * (2 + 3) + 30);
  });

  it('when built, then it is owned by the agent pod and labelled as a validation check', () => {
    expect(pod.metadata?.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'Pod', name: 'cni-migrate-agent-abc', uid: 'uid-123', blockOwnerDeletion: false },
    ]);
    expect(pod.metadata?.labels).toEqual({ [APP_LABEL]: 'cni-migrate', [COMPONENT_LABEL]: CHECK_POD_COMPONENT });
    expect(pod.metadata?.namespace).toBe('cni-migrate');
  });

  it('when built, then its single container runs the constant script with the inputs in env only', () => {
    expect(pod.spec?.containers).toHaveLength(1);
    expect(container?.name).toBe(CHECK_CONTAINER_NAME);
    expect(container?.image).toBe('ghcr.io/nicolaka/netshoot:v0.13');
    expect(container?.command).toEqual(['/bin/sh', '-c', CHECK_SCRIPT]);
    expect(container?.terminationMessagePath).toBe('/dev/termination-log');
    expect(container?.terminationMessagePolicy).toBe('File');
    expect(container?.env).toEqual([
      { name: CheckEnv.expectedCidr, value: '10.245.0.0/16' },
      { name: CheckEnv.peers, value: '10.245.1.5 10.245.2.9' },
      { name: CheckEnv.dnsName, value: 'kubernetes.default.svc.cluster.local' },
      { name: CheckEnv.timeoutSeconds, value: '5' },
    ]);
  });

  it('when an input holds shell syntax, then the script text stays the same constant', () => {
    const evil = buildCheckPod({
      nodeName: 'worker-1',
      namespace: 'ns',
      ownerPod: { name: 'a', uid: 'u' },
      image: 'img',
      order: { ...order, dnsName: '$(reboot); `id`' },
    });
    expect(evil.spec?.containers[0]?.command?.[2]).toBe(CHECK_SCRIPT);
  });

  it.each([
    ['worker-1', 'order-7', 'cni-check-worker-1-order-7'],
    ['Node.Example.com', 'A_b.c', 'cni-check-node-example-com-a-b-c'],
    ['n'.repeat(60), 'x'.repeat(60), `cni-check-${'n'.repeat(24)}-${'x'.repeat(24)}`],
  ])('when node %s gets order %s, then the pod is named %s (a valid name)', (node, id, name) => {
    expect(checkPodName(node, id)).toBe(name);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});
