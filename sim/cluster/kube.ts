/**
 * The thin edge to the Kubernetes API: typed clients built from one KubeConfig, the merge-patch option,
 * and predicates over the client's errors. Everything in the simulated cluster talks to the API through here.
 */
import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { httpStatusOf } from '../../shared/http-status.js';

export interface KubeClients {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  coordination: CoordinationV1Api;
  extensions: ApiextensionsV1Api;
  custom: CustomObjectsApi;
  policy: PolicyV1Api;
}

export function kubeClients(kc: KubeConfig): KubeClients {
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    coordination: kc.makeApiClient(CoordinationV1Api),
    extensions: kc.makeApiClient(ApiextensionsV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    policy: kc.makeApiClient(PolicyV1Api),
  };
}

/** Options that make a client-node patch call send a JSON merge patch. */
export const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export const isNotFound = (e: unknown): boolean => httpStatusOf(e) === 404;
export const isAlreadyExists = (e: unknown): boolean => httpStatusOf(e) === 409;

/** Run a create call; an AlreadyExists answer counts as success (seeding and registration are idempotent). */
export async function createIfAbsent(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}

/** Run a call on an object that may be gone already; NotFound counts as nothing to do. */
export async function ignoreNotFound(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

/** Run a delete call; NotFound counts as success (the object is already gone). */
export const deleteIfPresent = ignoreNotFound;
