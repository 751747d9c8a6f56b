/**
 * The Deployment controller's decision, as a pure function: the ReplicaSet for the current template
 * (named `<deployment>-<template hash>`), how each owned ReplicaSet is scaled, and the Deployment status.
 * Old ReplicaSets are scaled to zero once the new one is fully available.
 */
import type { V1Deployment, V1DeploymentStatus, V1ReplicaSet } from '@kubernetes/client-node';
import { controllerRef } from './pod-builders.js';
import { stableHash } from './rand.js';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

export interface DeploymentPlan {
  /** A ReplicaSet to create for the current template, if none exists yet. */
  createReplicaSet: V1ReplicaSet | undefined;
  /** Replica counts to set, by ReplicaSet name (only those that change). */
  scale: Map<string, number>;
  status: V1DeploymentStatus;
}

export const deploymentTemplateHash = (d: V1Deployment): string => stableHash(d.spec?.template ?? {});

export function buildReplicaSet(d: V1Deployment, hash: string): V1ReplicaSet {
  const { metadata: meta = {}, spec = { selector: {}, template: {} } } = d;
  const template = structuredClone(spec.template);
  const labels = { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash };
  template.metadata = { ...template.metadata, labels };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: `${meta.name}-${hash}`, namespace: meta.namespace, labels: { ...labels }, ownerReferences: [controllerRef('Deployment', meta)] },
    spec: {
      replicas: spec.replicas ?? 1,
      selector: { ...spec.selector, matchLabels: { ...spec.selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash } },
      template,
    },
  };
}

const hasTemplateHash = (rs: V1ReplicaSet, hash: string): boolean => rs.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL] === hash;
const replicasOf = (rs: V1ReplicaSet): number => rs.spec?.replicas ?? 1;
const availableOf = (rs: V1ReplicaSet | undefined): number => rs?.status?.availableReplicas ?? 0;
const nameOf = (rs: V1ReplicaSet): string => rs.metadata?.name ?? '';

export function planDeployment(d: V1Deployment, owned: readonly V1ReplicaSet[]): DeploymentPlan {
  const desired = d.spec?.replicas ?? 1;
  const hash = deploymentTemplateHash(d);
  const current = owned.find((rs) => hasTemplateHash(rs, hash));
  const scale = new Map<string, number>();
  if (current && replicasOf(current) !== desired) scale.set(nameOf(current), desired);
  const newIsAvailable = availableOf(current) >= desired;
  const old = owned.filter((rs) => rs !== current && replicasOf(rs) > 0);
  if (newIsAvailable) for (const rs of old) scale.set(nameOf(rs), 0);
  return {
    createReplicaSet: current ? undefined : buildReplicaSet(d, hash),
    scale,
    status: deploymentStatus(d, owned, current),
  };
}

function deploymentStatus(d: V1Deployment, owned: readonly V1ReplicaSet[], current: V1ReplicaSet | undefined): V1DeploymentStatus {
  const desired = d.spec?.replicas ?? 1;
  const sum = (f: (rs: V1ReplicaSet) => number | undefined): number => owned.reduce((n, rs) => n + (f(rs) ?? 0), 0);
  const counts = {
    replicas: sum((rs) => rs.status?.replicas),
    updatedReplicas: current?.status?.replicas ?? 0,
    readyReplicas: sum((rs) => rs.status?.readyReplicas),
    availableReplicas: sum((rs) => rs.status?.availableReplicas),
    unavailableReplicas: Math.max(0, desired - sum((rs) => rs.status?.availableReplicas)),
  };
  const status: V1DeploymentStatus = { observedGeneration: d.metadata?.generation ?? 1 };
  for (const [key, value] of Object.entries(counts)) if (value > 0) Object.assign(status, { [key]: value });
  return status;
}
