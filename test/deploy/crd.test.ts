import { beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { findObject, loadDeployYaml, renderDeploy } from './support/manifests.js';
import { OpenApiSchemaSchema, schemaProblems, type OpenApiSchema } from './support/openapi-check.js';
import { PhaseSchema } from '../../shared/phases.js';
import {
  MIGRATION_DEFAULT_NAME,
  MIGRATION_GROUP,
  MIGRATION_KIND,
  MIGRATION_PLURAL,
  MIGRATION_VERSION,
} from '../../shared/names.js';
import { agentConfigSpec, coordinatorConfigSpec } from '../../shared/config.js';
import {
  MigrationSpecSchema,
  MigrationStatusSchema,
  NodeStatusSchema,
  RolloutPhaseSchema,
} from '../../coordinator/core/migration-spec.js';
import { NodeRoundSchema, StageRecordSchema, StageStepSchema } from '../../coordinator/core/stages/record.js';

const CrdSchema = z.looseObject({
  spec: z.looseObject({
    group: z.string(),
    scope: z.string(),
    names: z.looseObject({ kind: z.string(), plural: z.string(), singular: z.string() }),
    versions: z
      .array(
        z.looseObject({
          name: z.string(),
          served: z.boolean(),
          storage: z.boolean(),
          subresources: z.looseObject({ status: z.looseObject({}).optional() }).optional(),
          additionalPrinterColumns: z.array(z.looseObject({ name: z.string(), type: z.string(), jsonPath: z.string() })),
          schema: z.looseObject({ openAPIV3Schema: OpenApiSchemaSchema }),
        }),
      )
      .length(1),
  }),
});
type Crd = z.infer<typeof CrdSchema>;

let crd: Crd;
let root: OpenApiSchema;
beforeAll(async () => {
  crd = CrdSchema.parse(findObject(await renderDeploy(), 'CustomResourceDefinition', `${MIGRATION_PLURAL}.${MIGRATION_GROUP}`));
  root = crd.spec.versions[0]?.schema.openAPIV3Schema ?? {};
});

/** The schema at a dotted path of properties (`spec.drain.timeoutSeconds`), `[]` stepping into array items. */
function at(path: string): OpenApiSchema {
  let s: OpenApiSchema | undefined = root;
  for (const part of path.split('.')) s = part === '[]' ? s?.items : s?.properties?.[part];
  if (!s) throw new Error(`the CRD schema has no ${path}`);
  return s;
}

const sample = () => loadDeployYaml('migration-default.yaml', z.looseObject({ spec: z.looseObject({}) }));

describe('the Migration CRD', () => {
  it('when rendered, then it serves cni-migrate.io/v1alpha1 Migration, cluster-scoped, with a status subresource', () => {
    expect(crd.spec.group).toBe(MIGRATION_GROUP);
    expect(crd.spec.scope).toBe('Cluster');
    expect(crd.spec.names).toMatchObject({ kind: MIGRATION_KIND, plural: MIGRATION_PLURAL, singular: 'migration' });
    const [v] = crd.spec.versions;
    expect(v).toMatchObject({ name: MIGRATION_VERSION, served: true, storage: true });
    expect(v?.subresources?.status).toEqual({});
  });

  it('when `kubectl get migration` prints, then the columns are Phase, Migrated, Total, In-Flight, Halted-Node, Age', () => {
    const cols = crd.spec.versions[0]?.additionalPrinterColumns ?? [];
    expect(cols.map((c) => c.name)).toEqual(['Phase', 'Migrated', 'Total', 'In-Flight', 'Halted-Node', 'Age']);
    for (const c of cols.filter((x) => /^\.status\.\w+$/.test(x.jsonPath))) {
      expect(at(`status.${c.jsonPath.slice('.status.'.length)}`).type).toBe(c.type);
    }
    expect(cols.find((c) => c.name === 'Halted-Node')?.jsonPath).toBe('.status.haltedNode');
    expect(cols.at(-1)).toMatchObject({ type: 'date', jsonPath: '.metadata.creationTimestamp' });
  });

  it.each([
    ['spec.paused', 'boolean', false],
    ['spec.concurrency', 'integer', 1],
    ['spec.nodeSelector', 'string', ''],
    ['spec.includeControlPlane', 'boolean', true],
    ['spec.autoRollback', 'boolean', false],
    ['spec.drain.deleteEmptyDirData', 'boolean', false],
    ['spec.drain.force', 'boolean', false],
    ['spec.stages.promote', 'boolean', false],
    ['spec.stages.patchCiliumConfig', 'boolean', false],
    ['spec.stages.removeCalico', 'boolean', false],
    ['spec.stages.cleanNodes', 'boolean', false],
    ['spec.stages.rebootNodes', 'boolean', false],
    ['spec.stages.removeCrds', 'boolean', false],
  ])('when %s is omitted, then it is a %s defaulting to %j', (path, type, dflt) => {
    expect(at(path)).toMatchObject({ type, default: dflt });
  });

  it.each([
    ['spec.drain.timeoutSeconds', 'integer', '--drain-timeout-seconds', coordinatorConfigSpec.drainTimeoutSeconds],
    ['spec.validation.dnsName', 'string', '--dns-name', coordinatorConfigSpec.dnsName],
    ['spec.validation.checkImage', 'string', '--check-image', agentConfigSpec.checkImage],
  ])('when %s is omitted, then it has no default and the binary flag %s decides', (path, type, flag, key) => {
    expect(at(path).type).toBe(type);
    expect(at(path).default).toBeUndefined();
    expect(at(path).description).toContain(`${flag} (${String(key.schema.parse(undefined))})`);
  });

  it.each(['spec.pauseAfter', 'spec.maxUnavailablePerZone'])('when %s is omitted, then it has no default (no canary, no zone cap)', (p) => {
    expect(at(p)).toMatchObject({ type: 'integer', minimum: 1 });
    expect(at(p).default).toBeUndefined();
  });

  it('when concurrency is below 1, then the schema rejects it', () => {
    expect(at('spec.concurrency').minimum).toBe(1);
  });

  it.each(['spec.drain', 'spec.validation', 'spec.stages'])('when %s is omitted, then it defaults to {} so its fields default', (p) => {
    expect(at(p)).toMatchObject({ type: 'object', default: {} });
  });

  it('when a node is listed in the status, then its phase is one of the phase model', () => {
    expect(at('status.nodes.[].phase').enum).toEqual(PhaseSchema.options);
    expect(at('status.nodes.[]').required).toEqual(['name', 'phase']);
    expect(Object.keys(at('status.nodes.[]').properties ?? {})).toEqual(
      expect.arrayContaining(['name', 'phase', 'attempt', 'since', 'durationSeconds', 'reason']),
    );
  });

  it('when the status is written, then it has phase, counts, haltReason, haltedNode, conditions and the probe figures', () => {
    const fields = Object.keys(at('status').properties ?? {});
    expect(fields.sort()).toEqual(['conditions', 'haltReason', 'haltedNode', 'inFlight', 'migrated', 'nodes', 'phase', 'preflight', 'probe', 'stage', 'total']);
    expect(at('status.phase').enum).toEqual(['Pending', 'Running', 'Paused', 'Halted', 'Promoting', 'RemovingCalico', 'CleaningNodes', 'RebootingNodes', 'RemovingCRDs', 'Completed']);
    expect(at('status.conditions.[]').required).toEqual(['type', 'status', 'lastTransitionTime', 'reason', 'message']);
  });
});

describe('the CRD and the coordinator code', () => {
  const keys = (s: OpenApiSchema): string[] => Object.keys(s.properties ?? {}).sort();

  it('when the coordinator parses a spec, then it reads exactly the fields the CRD declares', () => {
    expect(Object.keys(MigrationSpecSchema.shape).sort()).toEqual(keys(at('spec')));
    expect(Object.keys(MigrationSpecSchema.shape.drain.unwrap().shape).sort()).toEqual(keys(at('spec.drain')));
    expect(Object.keys(MigrationSpecSchema.shape.validation.unwrap().shape).sort()).toEqual(keys(at('spec.validation')));
    expect(Object.keys(MigrationSpecSchema.shape.stages.unwrap().shape).sort()).toEqual(keys(at('spec.stages')));
    expect(Object.keys(MigrationSpecSchema.shape.probe.unwrap().shape).sort()).toEqual(keys(at('spec.probe')));
  });

  it('when the coordinator writes a status, then its fields and rollout phases are the CRD\'s', () => {
    expect(Object.keys(MigrationStatusSchema.shape).sort()).toEqual(keys(at('status')));
    expect(Object.keys(NodeStatusSchema.shape).sort()).toEqual(keys(at('status.nodes.[]')));
    expect(RolloutPhaseSchema.options).toEqual(at('status.phase').enum);
    expect(Object.keys(StageRecordSchema.shape).sort()).toEqual(keys(at('status.stage')));
    expect(StageStepSchema.options).toEqual(at('status.stage.step').enum);
    expect(Object.keys(NodeRoundSchema.shape).sort()).toEqual(keys(at('status.stage.nodes.[]')));
  });
});

describe('the sample Migration default', () => {
  it('when checked against the CRD schema, then it conforms and starts paused', () => {
    const m = sample();
    expect(m).toMatchObject({
      apiVersion: `${MIGRATION_GROUP}/${MIGRATION_VERSION}`,
      kind: MIGRATION_KIND,
      metadata: { name: MIGRATION_DEFAULT_NAME },
      spec: { paused: true },
    });
    expect(schemaProblems(at('spec'), m.spec, 'spec')).toEqual([]);
  });

  it('when the sample carries a typo or a bad value, then the check names each problem', () => {
    const bad = { ...sample().spec, concurency: 2, concurrency: 0, drain: { timeoutSeconds: 'soon' } };
    expect(schemaProblems(at('spec'), bad, 'spec').sort()).toEqual([
      'spec.concurency: unknown field',
      'spec.concurrency: must be >= 1',
      'spec.drain.timeoutSeconds: must be integer',
    ]);
  });

  it('when a status node has an unknown phase, then the check rejects it', () => {
    const status = { phase: 'Running', nodes: [{ name: 'w1', phase: 'Exploding' }] };
    expect(schemaProblems(at('status'), status, 'status')).toEqual([
      `status.nodes[0].phase: must be one of ${JSON.stringify(PhaseSchema.options)}`,
    ]);
  });
});
