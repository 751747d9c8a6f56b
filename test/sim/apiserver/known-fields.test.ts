/** Server-side field validation of built-in kinds, as a v1.28 server answers each fieldValidation value. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startApiServer, type SimApiServer } from '../../../sim/apiserver/index.js';
import { send } from './golden-harness.js';

let server: SimApiServer;
beforeAll(async () => {
  server = await startApiServer();
});
afterAll(async () => {
  await server.close();
});

const daemonSet = (name: string, extra: Record<string, unknown>): Record<string, unknown> => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name },
  spec: { selector: { matchLabels: { a: name } }, template: { metadata: { labels: { a: name } }, spec: { containers: [{ name: 'c', image: 'x', ...extra }] } } },
});

const post = (query: string, body: unknown): ReturnType<typeof send> =>
  send(server.url, { method: 'POST', path: `/apis/apps/v1/namespaces/default/daemonsets${query}`, headers: { 'Content-Type': 'application/json' }, body, token: server.adminToken });

describe('unknown fields in built-in kinds', () => {
  it('when fieldValidation=Strict, then an unknown field deep in the pod template is 400 naming its path', async () => {
    const r = await post('?fieldValidation=Strict', daemonSet('strict', { imagePolicy: 'x' }));
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toMatchObject({
      reason: 'BadRequest',
      message: 'DaemonSet in version "v1" cannot be handled as a DaemonSet: strict decoding error: unknown field "spec.template.spec.containers[0].imagePolicy"',
    });
  });

  it('when fieldValidation is unset, then the object is created with a Warning; with Ignore, silently', async () => {
    const warned = await post('', daemonSet('warned', { imagePolicy: 'x' }));
    expect({ status: warned.status, warning: warned.warning }).toEqual({ status: 201, warning: '299 - "unknown field \\"spec.template.spec.containers[0].imagePolicy\\""' });
    const ignored = await post('?fieldValidation=Ignore', daemonSet('ignored', { imagePolicy: 'x' }));
    expect({ status: ignored.status, warning: ignored.warning }).toEqual({ status: 201, warning: null });
  });

  it('when every field is known, then Strict creates it without a Warning; an unsupported fieldValidation is 422', async () => {
    const ok = await post('?fieldValidation=Strict', daemonSet('fine', { imagePullPolicy: 'Always' }));
    expect({ status: ok.status, warning: ok.warning }).toEqual({ status: 201, warning: null });
    expect((await post('?fieldValidation=Loud', daemonSet('loud', {}))).status).toBe(422);
  });
});
