/**
 * Test mode's Face Liveness: no AWS call, no credentials. A stand-in session has a random UUID
 * like AWS's, and its result is whatever the test outcome the person picks says (the test-mode
 * checks never read it); `results` answers a success without images.
 */
import { randomUUID } from 'node:crypto';
import type { FaceLiveness } from './port';

export const standInLiveness: FaceLiveness = {
  mode: 'stand_in',
  region: async () => null,
  createSession: async () => ({ id: randomUUID() }),
  browserCredentials: async () => null,
  results: async () => ({ status: 'SUCCEEDED', confidence: 100, reference: null, audits: [], challenge: null }),
};
