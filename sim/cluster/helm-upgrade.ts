/**
 * Helm's side of Cilium's promotion, as the simulation plays it: `helm upgrade cilium … --reuse-values --set …`
 * reads the current release's values, merges the new ones, renders cilium-config again and records the new
 * revision (the old one becomes superseded). Nothing restarts: as with the real chart, the operator restarts
 * ds/cilium afterwards.
 */
import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { CILIUM_NAMESPACE } from '../../shared/names.js';
import { chartDefaults, helmReleaseSecret, mergeValues, renderCiliumConfig } from './seed/cilium-chart.js';

type Values = Record<string, unknown>;
const mergeHeader = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const ReleaseSchema = z.looseObject({ config: z.record(z.string(), z.unknown()).default({}) });

/** The promotion's values (what `--set cni.customConf=false …` sets). */
export const PROMOTION_HELM_VALUES: Values = {
  cni: { customConf: false },
  policyEnforcementMode: 'default',
  bpf: { hostLegacyRouting: false },
  operator: { unmanagedPodWatcher: { restart: true } },
};

const revisionOf = (s: V1Secret): number => Number(s.metadata?.labels?.['version'] ?? '0');

function valuesOf(secret: V1Secret): Values {
  const helm = Buffer.from(secret.data?.['release'] ?? '', 'base64').toString();
  const json = gunzipSync(Buffer.from(helm, 'base64')).toString();
  return ReleaseSchema.parse(JSON.parse(json)).config;
}

/** Upgrades release `release` with `set` over its current values; returns the new revision. */
export async function helmUpgradeCilium(kc: KubeConfig, set: Values = PROMOTION_HELM_VALUES, release = 'cilium'): Promise<number> {
  const core = kc.makeApiClient(CoreV1Api);
  const secrets = (await core.listNamespacedSecret({ namespace: CILIUM_NAMESPACE, labelSelector: `owner=helm,name=${release}` })).items;
  const current = secrets.sort((a, b) => revisionOf(b) - revisionOf(a))[0];
  if (!current) throw new Error(`no Helm release ${release} in ${CILIUM_NAMESPACE}`);
  const config = mergeValues(valuesOf(current), set);
  const revision = revisionOf(current) + 1;
  await core.createNamespacedSecret({ namespace: CILIUM_NAMESPACE, body: helmReleaseSecret(release, revision, config) });
  const name = current.metadata?.name ?? '';
  await core.patchNamespacedSecret({ namespace: CILIUM_NAMESPACE, name, body: { metadata: { labels: { status: 'superseded' } } } }, mergeHeader);
  const data = renderCiliumConfig(mergeValues(chartDefaults(), config));
  const cm = await core.readNamespacedConfigMap({ namespace: CILIUM_NAMESPACE, name: 'cilium-config' });
  await core.replaceNamespacedConfigMap({ namespace: CILIUM_NAMESPACE, name: 'cilium-config', body: { ...cm, data } });
  return revision;
}
