import { describe, expect, it } from '@jest/globals';
import { parseRequest } from '../../../sim/apiserver/request-info.js';

describe('request info', () => {
  const table: [string, string, Record<string, unknown>][] = [
    ['GET', '/api/v1/nodes', { verb: 'list', group: '', resource: 'nodes', name: undefined }],
    ['GET', '/api/v1/nodes?watch=1', { verb: 'watch', resource: 'nodes' }],
    ['PATCH', '/api/v1/nodes/n1/status', { verb: 'patch', resource: 'nodes', name: 'n1', subresource: 'status' }],
    ['POST', '/api/v1/namespaces/ns/pods/p/eviction', { verb: 'create', namespace: 'ns', resource: 'pods', name: 'p', subresource: 'eviction' }],
    ['DELETE', '/api/v1/namespaces/ns/pods', { verb: 'deletecollection', namespace: 'ns', resource: 'pods' }],
    ['GET', '/api/v1/namespaces/ns', { verb: 'get', namespace: undefined, resource: 'namespaces', name: 'ns' }],
    ['PUT', '/api/v1/namespaces/ns/status', { verb: 'update', resource: 'namespaces', name: 'ns', subresource: 'status' }],
    ['GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l', { verb: 'get', group: 'coordination.k8s.io', version: 'v1', namespace: 'kube-system', name: 'l' }],
  ];
  it.each(table)('when %s %s arrives, then it is read as the apiserver reads it', (method, url, want) => {
    expect(parseRequest(method, url)).toMatchObject({ kind: 'resource', ...want });
  });

  it.each([['/version'], ['/apis'], ['/openapi/v2']])('when %s is asked, then it is a non-resource request', (url) => {
    expect(parseRequest('GET', url).kind).toBe('nonresource');
  });
});
