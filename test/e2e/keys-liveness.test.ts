/**
 * `npm run keys -- liveness` as a person runs it, in a child process: show, set and reset an
 * account's Face Liveness challenge in one mode, the other mode untouched, and one line (exit 2)
 * for a challenge AWS does not have.
 */
import { describe, expect, it } from 'vitest';
import { newAccountId } from '../../functions/domain/api-keys';
import { keysCommand } from '../support/keys-command';

const { keys } = keysCommand('verity-liveness-');

describe('npm run keys -- liveness', () => {
  it("sets, shows and resets an account's challenge in one mode", () => {
    const account = newAccountId();
    const deployment = `Account ${account} has no challenge of its own in live mode: the deployment's applies`;
    expect(keys('liveness', '--account', account, '--mode', 'live')).toMatchObject({
      status: 0,
      stdout: expect.stringContaining(deployment),
    });
    expect(keys('liveness', '--account', account, '--mode', 'live', '--challenge', 'FaceMovementChallenge')).toMatchObject({
      status: 0,
      stdout: expect.stringContaining(`Account ${account} asks for FaceMovementChallenge in live mode.\n`),
    });
    expect(keys('liveness', '--account', account, '--mode', 'test').stdout).toContain('no challenge of its own in test mode');
    expect(keys('liveness', '--account', account, '--mode', 'live').stdout).toContain('asks for FaceMovementChallenge');
    expect(keys('liveness', '--account', account, '--mode', 'live', '--challenge', 'default')).toMatchObject({
      status: 0,
      stdout: expect.stringContaining(deployment),
    });
  }, 120_000);

  it('refuses a challenge AWS does not have, in one line', () => {
    const refused = keys('liveness', '--account', newAccountId(), '--mode', 'live', '--challenge', 'FaceLightChallenge');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--challenge must be FaceMovementAndLightChallenge, FaceMovementChallenge or default');
  });
});
