import { describe, expect, it } from 'vitest';
import { funnelDay, funnelSteps, stagesReached, type FunnelSession } from '../../../functions/domain/funnel';
import { firstCredentials } from '../../../functions/domain/session-credentials';

const fresh: FunnelSession = {
  status: 'requires_input',
  credentials: firstCredentials(new Date(0)),
  submission: null,
  last_verification_report: null,
  last_error: null,
};
const openedCredentials = { ...fresh.credentials, client_secret: { ...fresh.credentials.client_secret, used: true, uses: 1 } };

describe('the funnel stages', () => {
  it('are reached for good: a verified session overridden back still counts as verified once', () => {
    expect(stagesReached(fresh)).toEqual(['created']);
    const opened = { ...fresh, credentials: openedCredentials };
    expect(stagesReached(opened)).toEqual(['created', 'opened']);
    const verified = { ...opened, status: 'verified' as const, last_verification_report: 'vr_1' };
    expect(funnelSteps(opened, verified)).toEqual([{ stage: 'submitted' }, { stage: 'verified' }]);
    const overridden = { ...verified, status: 'requires_input' as const, last_error: { code: 'document_expired', reason: null } };
    expect(funnelSteps(verified, overridden)).toEqual([{ error: 'document_expired' }]);
    expect(funnelSteps(overridden, overridden)).toEqual([]);
    expect(funnelSteps(undefined, fresh)).toEqual([{ stage: 'created' }]);
  });

  it('puts a session on the UTC day it was created', () => {
    expect(funnelDay(Date.UTC(2026, 0, 1, 23, 59, 59) / 1000)).toBe('2026-01-01');
    expect(funnelDay(Date.UTC(2026, 0, 2) / 1000)).toBe('2026-01-02');
  });
});
