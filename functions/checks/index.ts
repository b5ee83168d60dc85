/**
 * Which checks provider verifies a session. Test mode always has one; live verification needs a
 * provider plugged in behind the same interface (domain/verification-checks.ts), and until one is,
 * live sessions cannot be submitted.
 */
import type { VerificationChecks } from '../domain/verification-checks';
import type { Mode } from '../domain/verification-session';
import { testModeChecks } from './test-mode';

const providers: Partial<Record<Mode, VerificationChecks>> = { test: testModeChecks };

export function checksFor(mode: Mode): VerificationChecks | undefined {
  return providers[mode];
}

/** Where a live provider registers itself. */
export function useLiveChecks(provider: VerificationChecks): void {
  providers.live = provider;
}
