import { describe, expect, it } from '@jest/globals';
import { applySchema } from '../../../sim/apiserver/crd-schema.js';

const schema = {
  type: 'object',
  required: ['spec'],
  properties: {
    spec: {
      type: 'object',
      required: ['nodeSelector'],
      properties: {
        nodeSelector: { type: 'object', x: 1, 'x-kubernetes-preserve-unknown-fields': true },
        defaults: { type: 'object', additionalProperties: { type: 'string' } },
        mode: { type: 'string', enum: ['Always', 'Never'] },
        size: { 'x-kubernetes-int-or-string': true },
      },
    },
  },
};

describe('custom resource schema', () => {
  it('when types, enums and required fields are wrong, then every cause is reported as the real server words it', () => {
    const out = applySchema(schema, { metadata: { name: 'x' }, spec: { defaults: { a: true }, mode: 'Sometimes' } });
    expect(out.causes).toEqual([
      { reason: 'FieldValueTypeInvalid', message: 'Invalid value: "boolean": spec.defaults.a in body must be of type string: "boolean"', field: 'spec.defaults.a' },
      { reason: 'FieldValueNotSupported', message: 'Unsupported value: "Sometimes": supported values: "Always", "Never"', field: 'spec.mode' },
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.nodeSelector' },
    ]);
  });

  it('when a field is not declared, then it is pruned and reported; preserved subtrees are kept', () => {
    const out = applySchema(schema, { apiVersion: 'a/v1', kind: 'K', metadata: { name: 'x' }, spec: { nodeSelector: { any: { thing: 1 } }, extra: 1, size: '50%' } });
    expect(out.causes).toEqual([]);
    expect(out.unknownFields).toEqual(['spec.extra']);
    expect(out.value).toEqual({ apiVersion: 'a/v1', kind: 'K', metadata: { name: 'x' }, spec: { nodeSelector: { any: { thing: 1 } }, size: '50%' } });
  });
});
