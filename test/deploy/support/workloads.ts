/** Typed views of the rendered agent DaemonSet and coordinator Deployment: only the fields the tests read. */
import { z } from 'zod';
import { findObject, type K8sObject } from './manifests.js';

const EnvVarSchema = z.looseObject({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z.looseObject({ fieldRef: z.looseObject({ fieldPath: z.string() }).optional() }).optional(),
});

const ProbeSchema = z.looseObject({
  httpGet: z.looseObject({ path: z.string(), port: z.union([z.number(), z.string()]) }),
});

const QuantitiesSchema = z.looseObject({ cpu: z.string(), memory: z.string() });

const ContainerSchema = z.looseObject({
  name: z.string(),
  image: z.string(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: z.array(EnvVarSchema).default([]),
  ports: z.array(z.looseObject({ containerPort: z.number() })).default([]),
  livenessProbe: ProbeSchema,
  readinessProbe: ProbeSchema,
  resources: z.looseObject({ requests: QuantitiesSchema, limits: QuantitiesSchema }),
  securityContext: z
    .looseObject({
      privileged: z.boolean().optional(),
      allowPrivilegeEscalation: z.boolean().optional(),
      readOnlyRootFilesystem: z.boolean().optional(),
      capabilities: z.looseObject({ drop: z.array(z.string()).optional() }).optional(),
    })
    .default({}),
  volumeMounts: z
    .array(z.looseObject({ name: z.string(), mountPath: z.string(), readOnly: z.boolean().optional() }))
    .default([]),
});
export type Container = z.infer<typeof ContainerSchema>;

const VolumeSchema = z.looseObject({
  name: z.string(),
  hostPath: z.looseObject({ path: z.string(), type: z.string().optional() }).optional(),
  projected: z
    .looseObject({
      sources: z.array(
        z.looseObject({
          serviceAccountToken: z
            .looseObject({ audience: z.string().optional(), path: z.string(), expirationSeconds: z.number().optional() })
            .optional(),
        }),
      ),
    })
    .optional(),
});
export type Volume = z.infer<typeof VolumeSchema>;

const TolerationSchema = z.looseObject({
  key: z.string().optional(),
  operator: z.string().optional(),
  effect: z.string().optional(),
});

const PodSpecSchema = z.looseObject({
  serviceAccountName: z.string(),
  hostNetwork: z.boolean().optional(),
  hostPID: z.boolean().optional(),
  dnsPolicy: z.string().optional(),
  priorityClassName: z.string().optional(),
  tolerations: z.array(TolerationSchema).default([]),
  securityContext: z
    .looseObject({
      runAsNonRoot: z.boolean().optional(),
      runAsUser: z.number().optional(),
      seccompProfile: z.looseObject({ type: z.string() }).optional(),
    })
    .default({}),
  containers: z.array(ContainerSchema).length(1),
  volumes: z.array(VolumeSchema).default([]),
});
export type PodSpec = z.infer<typeof PodSpecSchema>;

const WorkloadSchema = z.looseObject({
  spec: z.looseObject({
    replicas: z.number().optional(),
    selector: z.looseObject({ matchLabels: z.record(z.string(), z.string()) }),
    updateStrategy: z
      .looseObject({ type: z.string(), rollingUpdate: z.looseObject({ maxUnavailable: z.number() }).optional() })
      .optional(),
    template: z.looseObject({
      metadata: z.looseObject({ labels: z.record(z.string(), z.string()) }),
      spec: PodSpecSchema,
    }),
  }),
});
export type Workload = z.infer<typeof WorkloadSchema>;

export function workload(objects: readonly K8sObject[], kind: string, name: string): Workload {
  return WorkloadSchema.parse(findObject(objects, kind, name));
}

export function onlyContainer(w: Workload): Container {
  const [c] = w.spec.template.spec.containers;
  if (!c) throw new Error('no container');
  return c;
}

/** The downward-API field each env variable comes from, or its literal value. */
export function envSources(c: Container): Record<string, string> {
  return Object.fromEntries(c.env.map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath ?? e.value ?? '']));
}

/** mountPath → the host path mounted there (hostPath volumes only). */
export function hostMounts(spec: PodSpec, c: Container): Record<string, { hostPath: string; readOnly: boolean }> {
  const out: Record<string, { hostPath: string; readOnly: boolean }> = {};
  for (const m of c.volumeMounts) {
    const hp = spec.volumes.find((v) => v.name === m.name)?.hostPath;
    if (hp) out[m.mountPath] = { hostPath: hp.path, readOnly: m.readOnly === true };
  }
  return out;
}
