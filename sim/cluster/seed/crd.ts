/** A builder of simple CustomResourceDefinitions (structural schema, `spec` with typed fields). */
import type { V1CustomResourceDefinition, V1JSONSchemaProps } from '@kubernetes/client-node';

export interface CrdShape {
  group: string;
  kind: string;
  plural: string;
  scope: 'Cluster' | 'Namespaced';
  /** Served versions; the last one is the storage version. */
  versions: string[];
  spec: Record<string, V1JSONSchemaProps>;
}

export function customResourceDefinition(shape: CrdShape): V1CustomResourceDefinition {
  const schema: V1JSONSchemaProps = {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: { type: 'object', properties: shape.spec },
    },
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${shape.plural}.${shape.group}` },
    spec: {
      group: shape.group,
      scope: shape.scope,
      names: { kind: shape.kind, listKind: `${shape.kind}List`, plural: shape.plural, singular: shape.kind.toLowerCase() },
      versions: shape.versions.map((name, i) => ({
        name,
        served: true,
        storage: i === shape.versions.length - 1,
        schema: { openAPIV3Schema: schema },
      })),
    },
  };
}
