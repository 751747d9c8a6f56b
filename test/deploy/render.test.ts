import { beforeAll, describe, expect, it } from '@jest/globals';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { DEPLOY_DIR, renderDeploy, findObject, type K8sObject } from './support/manifests.js';
import { readmeBlock } from '../support/readme.js';
import { envSources, hostMounts, onlyContainer, workload, type Workload } from './support/workloads.js';
import {
  AGENT_ENV_PREFIX,
  COORDINATOR_ENV_PREFIX,
  agentConfigSpec,
  coordinatorConfigSpec,
} from '../../shared/config.js';
import { envName } from '../../shared/config-spec.js';
import { TOKEN_AUDIENCE } from '../../shared/names.js';
import { VERSION } from '../../shared/version.js';

const agentDefault = <K extends keyof typeof agentConfigSpec>(k: K): unknown => agentConfigSpec[k].schema.parse(undefined);
const coordinatorDefault = <K extends keyof typeof coordinatorConfigSpec>(k: K): unknown =>
  coordinatorConfigSpec[k].schema.parse(undefined);

let objects: K8sObject[] = [];
let agent: Workload;
let coordinator: Workload;
beforeAll(async () => {
  objects = await renderDeploy();
  agent = workload(objects, 'DaemonSet', 'cni-migrate-agent');
  coordinator = workload(objects, 'Deployment', 'cni-migrate-coordinator');
});

describe('kubectl kustomize deploy/', () => {
  it('when rendered offline, then it holds the namespace, both ServiceAccounts, the CRD, both workloads and the Service', () => {
    const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'Namespace/cni-migrate',
        'ServiceAccount/cni-migrate-coordinator',
        'ServiceAccount/cni-migrate-agent',
        'CustomResourceDefinition/migrations.cni-migrate.io',
        'DaemonSet/cni-migrate-agent',
        'Deployment/cni-migrate-coordinator',
        'Service/cni-migrate-coordinator',
      ]),
    );
  });

  it('when rendered, then the Migration object is left out (it must wait for its CRD to be established)', () => {
    expect(objects.filter((o) => o.kind === 'Migration')).toEqual([]);
  });

  it('when rendered, then every object of the tool itself lives in the cni-migrate namespace', () => {
    const own = ['ServiceAccount', 'DaemonSet', 'Deployment', 'Service'];
    for (const o of objects.filter((x) => own.includes(x.kind))) expect(o.metadata.namespace).toBe('cni-migrate');
    expect(agentDefault('podNamespace')).toBe('cni-migrate');
    expect(coordinatorDefault('namespace')).toBe('cni-migrate');
  });

  it('when rendered, then the namespace lets Pod Security admit the privileged agent', () => {
    const ns = findObject(objects, 'Namespace', 'cni-migrate');
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });

  it('when rendered, then every object is labeled as part of cni-migrate at the version of the code', () => {
    for (const o of objects) {
      expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/part-of': 'cni-migrate', 'app.kubernetes.io/version': VERSION });
    }
  });

  it('when rendered, then both images carry the version of the code', () => {
    expect(onlyContainer(agent).image).toBe(`ghcr.io/cni-migrate/agent:${VERSION}`);
    expect(onlyContainer(coordinator).image).toBe(`ghcr.io/cni-migrate/coordinator:${VERSION}`);
  });
});

describe('the agent DaemonSet', () => {
  it('when rendered, then it runs privileged on the host network and PID namespace, on every node', () => {
    const spec = agent.spec.template.spec;
    expect(onlyContainer(agent).securityContext.privileged).toBe(true);
    expect(spec.hostNetwork).toBe(true);
    expect(spec.hostPID).toBe(true);
    expect(spec.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(spec.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(spec.priorityClassName).toBe('system-node-critical');
    expect(spec.serviceAccountName).toBe('cni-migrate-agent');
  });

  it('when rendered, then it rolls out one node at a time', () => {
    expect(agent.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
  });

  it('when rendered, then it mounts exactly the host paths it works on, /lib/modules read-only', () => {
    const spec = agent.spec.template.spec;
    expect(hostMounts(spec, onlyContainer(agent))).toEqual({
      '/host/etc/cni/net.d': { hostPath: '/etc/cni/net.d', readOnly: false },
      '/host/opt/cni/bin': { hostPath: '/opt/cni/bin', readOnly: false },
      '/host/var/lib/calico': { hostPath: '/var/lib/calico', readOnly: false },
      '/host/var/run/calico': { hostPath: '/var/run/calico', readOnly: false },
      '/host/var/log/calico': { hostPath: '/var/log/calico', readOnly: false },
      '/run/xtables.lock': { hostPath: '/run/xtables.lock', readOnly: false },
      '/lib/modules': { hostPath: '/lib/modules', readOnly: true },
    });
    expect(spec.volumes.find((v) => v.hostPath?.path === '/run/xtables.lock')?.hostPath?.type).toBe('FileOrCreate');
    expect(spec.volumes.some((v) => v.hostPath?.path === '/')).toBe(false);
    expect(agentDefault('hostRoot')).toBe('/host');
  });

  it('when rendered, then a projected token for the cni-migrate audience sits where the agent reads it', () => {
    const spec = agent.spec.template.spec;
    const tokenVolume = spec.volumes.find((v) => v.projected !== undefined);
    const source = tokenVolume?.projected?.sources[0]?.serviceAccountToken;
    expect(source?.audience).toBe(TOKEN_AUDIENCE);
    const mount = onlyContainer(agent).volumeMounts.find((m) => m.name === tokenVolume?.name);
    expect(`${mount?.mountPath}/${source?.path}`).toBe(agentDefault('tokenPath'));
    expect(mount?.readOnly).toBe(true);
  });

  it('when rendered, then its identity comes from the downward API', () => {
    expect(envSources(onlyContainer(agent))).toMatchObject({
      CNI_MIGRATE_AGENT_NODE_NAME: 'spec.nodeName',
      CNI_MIGRATE_AGENT_POD_NAME: 'metadata.name',
      CNI_MIGRATE_AGENT_POD_NAMESPACE: 'metadata.namespace',
      CNI_MIGRATE_AGENT_POD_UID: 'metadata.uid',
    });
  });

  it('when rendered, then its probes hit /healthz and /readyz on the health port', () => {
    const c = onlyContainer(agent);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 9877 });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 9877 });
    expect(agentDefault('healthPort')).toBe(9877);
  });
});

describe('the coordinator Deployment', () => {
  it('when rendered, then it runs one replica on the host network, tolerating control-plane nodes', () => {
    const spec = coordinator.spec.template.spec;
    expect(coordinator.spec.replicas).toBe(1);
    expect(spec.hostNetwork).toBe(true);
    expect(spec.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(spec.hostPID).not.toBe(true);
    expect(spec.serviceAccountName).toBe('cni-migrate-coordinator');
    expect(spec.tolerations).toContainEqual({
      key: 'node-role.kubernetes.io/control-plane',
      operator: 'Exists',
      effect: 'NoSchedule',
    });
  });

  it('when rendered, then it runs as non-root 65532 with no privilege at all', () => {
    const spec = coordinator.spec.template.spec;
    const c = onlyContainer(coordinator);
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532 });
    expect(spec.securityContext.seccompProfile?.type).toBe('RuntimeDefault');
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(c.securityContext.privileged).not.toBe(true);
    expect(spec.volumes.filter((v) => v.hostPath !== undefined)).toEqual([]);
  });

  it('when rendered, then it runs `cni-migrate coordinator` with its identity and address from the downward API', () => {
    const c = onlyContainer(coordinator);
    expect([...(c.command ?? []), ...(c.args ?? [])]).toEqual(['cni-migrate', 'coordinator']);
    expect(envSources(c)).toMatchObject({
      CNI_MIGRATE_NODE_NAME: 'spec.nodeName',
      CNI_MIGRATE_POD_NAME: 'metadata.name',
      CNI_MIGRATE_ADVERTISE_ADDRESS: 'status.hostIP',
    });
  });

  it('when rendered, then Node runs it with a young generation of a few MiB (V8 grows it to 16 MiB semi-spaces by default) and an old generation capped below the memory limit, so the heap is collected before the container is killed (bench:migrate runs it with these flags)', () => {
    const c = onlyContainer(coordinator);
    const flags = new Map((c.env.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '').split(/\s+/).map((f) => f.split('=') as [string, string]));
    const mib = (q: string): number => Number(/^(\d+)Mi$/.exec(q)?.[1] ?? NaN);
    expect(Number(flags.get('--max-semi-space-size'))).toBeLessThanOrEqual(8);
    const oldSpace = flags.get('--max-old-space-size');
    expect(Number(oldSpace)).toBeGreaterThan(0);
    expect(Number(oldSpace) + 64).toBeLessThanOrEqual(mib(c.resources.limits.memory));
  });

  it('when rendered, then its probes and Service use the agent API port', () => {
    const c = onlyContainer(coordinator);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 9876 });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 9876 });
    expect(coordinatorDefault('port')).toBe(9876);
    const svc = findObject(objects, 'Service', String(agentDefault('coordinatorService')));
    expect(svc.spec).toMatchObject({
      selector: coordinator.spec.selector.matchLabels,
      ports: [expect.objectContaining({ port: 9876, targetPort: 9876 })],
    });
  });
});

describe.each([
  ['agent', () => agent, AGENT_ENV_PREFIX, agentConfigSpec],
  ['coordinator', () => coordinator, COORDINATOR_ENV_PREFIX, coordinatorConfigSpec],
] as const)('the %s container', (_name, get, prefix, spec) => {
  it('when rendered, then it sets requests and limits', () => {
    const { requests, limits } = onlyContainer(get()).resources;
    expect(requests.cpu).toBeTruthy();
    expect(requests.memory).toBeTruthy();
    expect(limits.cpu).toBeTruthy();
    expect(limits.memory).toBeTruthy();
  });

  it('when rendered, then every env variable names a configuration key (or is NODE_OPTIONS, Node\'s own flags)', () => {
    const known = [...Object.keys(spec).map((k) => envName(prefix, k)), 'NODE_OPTIONS'];
    expect(Object.keys(envSources(onlyContainer(get()))).filter((n) => !known.includes(n))).toEqual([]);
  });

  it('when rendered, then its pod template carries the selector labels', () => {
    const w = get();
    expect(w.spec.template.metadata.labels).toMatchObject(w.spec.selector.matchLabels);
  });
});

describe('images from your own registry (README)', () => {
  it('when the README\'s images snippet replaces the kustomization\'s, then every workload pulls from that registry', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'deploy-images-'));
    await cp(DEPLOY_DIR, dir, { recursive: true });
    const kustomization = await readFile(join(dir, 'kustomization.yaml'), 'utf8');
    const snippet = readmeBlock('Images first:', 'yaml');
    await writeFile(join(dir, 'kustomization.yaml'), kustomization.replace(/^images:\n(?: {2}.*\n)+/m, snippet));
    const rendered = (await execa('kubectl', ['kustomize', dir])).stdout;
    const images = [...new Set([...rendered.matchAll(/image: (\S+)/g)].map((m) => m[1]))].sort();
    expect(images).toEqual(['REGISTRY/cni-migrate/agent:0.1.0', 'REGISTRY/cni-migrate/coordinator:0.1.0']);
    await rm(dir, { recursive: true, force: true });
  });
});
