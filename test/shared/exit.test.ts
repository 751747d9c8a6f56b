import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '../../shared/errors.js';
import { exitCodeFor } from '../../shared/exit.js';

describe('exit codes and messages for main', () => {
  it('when the API server cannot be reached, then one line and exit 1, no stack', () => {
    const refused = Object.assign(new Error('request to https://127.0.0.1:1/api/v1/namespaces failed, reason: connect ECONNREFUSED 127.0.0.1:1'), {
      name: 'FetchError',
      code: 'ECONNREFUSED',
    });
    expect(exitCodeFor(refused)).toEqual({ code: 1, message: refused.message });
  });

  it('when the configuration is bad, then exit 2 with its message', () => {
    expect(exitCodeFor(new ConfigError('no cluster configuration: x', ['kubeconfig']))).toEqual({ code: 2, message: 'no cluster configuration: x' });
  });

  it('when something unexpected is thrown (a bug), then its stack is kept', () => {
    expect(exitCodeFor(new TypeError('x is undefined')).message).toMatch(/^TypeError: x is undefined\n\s+at /);
  });
});
