import { describe, expect, it } from '@jest/globals';
import { chartVersionOfImage, PROMOTED_CONFIG, promotionMissing } from '../../../../coordinator/core/stages/promotion.js';

const secondary = {
  'custom-cni-conf': 'true',
  'enable-policy': 'never',
  'unmanaged-pod-watcher-interval': '0',
};

describe('promotion as cilium-config shows it', () => {
  it('When Cilium still runs as secondary, then every key that says so is named', () => {
    expect(promotionMissing(secondary)).toEqual([
      'custom-cni-conf is true (want false)',
      'write-cni-conf-when-ready is unset',
      'enable-policy is never (want default)',
      'unmanaged-pod-watcher-interval is 0 (want 15)',
    ]);
  });
  it('When the promotion keys are written, then nothing is missing', () => {
    expect(promotionMissing({ ...secondary, ...PROMOTED_CONFIG })).toEqual([]);
  });
  it('When only customConf was flipped, then the policy and the watcher are still missing', () => {
    const partly = { ...secondary, 'custom-cni-conf': 'false', 'write-cni-conf-when-ready': '/host/etc/cni/net.d/05-cilium.conflist' };
    expect(promotionMissing(partly)).toHaveLength(2);
  });
  it('When cilium-config is absent, then that is what is missing', () => {
    expect(promotionMissing(undefined)).toEqual(['cilium-config not found']);
  });
  it('When the image has a version tag (and maybe a digest), then the chart version is read from it', () => {
    expect(chartVersionOfImage('quay.io/cilium/cilium:v1.15.6')).toBe('1.15.6');
    expect(chartVersionOfImage('quay.io/cilium/cilium:v1.16.0-rc.1@sha256:abc')).toBe('1.16.0-rc.1');
    expect(chartVersionOfImage('quay.io/cilium/cilium@sha256:abc')).toBeUndefined();
    expect(chartVersionOfImage('localhost:5000/cilium')).toBeUndefined();
  });
});
