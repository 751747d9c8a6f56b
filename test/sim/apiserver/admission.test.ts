import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { podSecurityAdmission } from '../../../sim/apiserver/admission.js';
import { ResourceRegistry } from '../../../sim/apiserver/resources.js';
import { ObjectStore } from '../../../sim/apiserver/store.js';
import { KubeStatusError } from '../../../sim/apiserver/status.js';
import { GOLDEN_DIR } from './golden-harness.js';

type Json = Record<string, unknown>;
const golden = (file: string): { request: { body: Json }; response: { body: Json }; notes?: string[] } =>
  JSON.parse(readFileSync(join(GOLDEN_DIR, file), 'utf8')) as { request: { body: Json }; response: { body: Json }; notes?: string[] };

function baselineStore(): ObjectStore {
  const store = new ObjectStore(100);
  store.put('/namespaces', { metadata: { name: 'golden-baseline', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } });
  store.put('/namespaces', { metadata: { name: 'open' } });
  return store;
}

const registry = new ResourceRegistry();
const podDef = registry.find('', 'v1', 'pods');
const dsDef = registry.find('apps', 'v1', 'daemonsets');
const opts = { dryRun: true, strict: false };

describe('Pod Security admission (baseline)', () => {
  it('when a privileged host-namespace pod is created in an enforcing namespace, then the 403 reads exactly as recorded', () => {
    const g = golden('93-dryrun-pod-psa-baseline-forbidden.json');
    const hook = podSecurityAdmission(baselineStore());
    let thrown: unknown;
    try {
      if (podDef) hook(podDef, g.request.body, undefined, opts);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(KubeStatusError);
    expect((thrown as KubeStatusError).body).toEqual(g.response.body);
  });

  it('when the same pod template comes in a DaemonSet, then it is admitted with the recorded warning', () => {
    const g = golden('92-dryrun-daemonset-psa-baseline-ns.json');
    const hook = podSecurityAdmission(baselineStore());
    const r = dsDef ? hook(dsDef, g.request.body, undefined, opts) : { warnings: [] };
    expect(g.notes?.[0]).toContain(`Warning: 299 - ${JSON.stringify(r.warnings[0])}`);
  });

  it('when the namespace does not enforce, then nothing is said', () => {
    const g = golden('93-dryrun-pod-psa-baseline-forbidden.json');
    const body = { ...g.request.body, metadata: { name: 'x', namespace: 'open' } };
    const r = podDef ? podSecurityAdmission(baselineStore())(podDef, body, undefined, opts) : undefined;
    expect(r?.warnings).toEqual([]);
  });
});
