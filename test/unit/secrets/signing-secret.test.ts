/**
 * Where the signing secret comes from: in Lambda, Secrets Manager (the secret the stack's
 * VERITY_SIGNING_SECRET_ARN names), read once at start and cached for the container; locally,
 * VERITY_SIGNING_SECRET, and then Secrets Manager is never called. The AWS path runs against
 * aws-sdk-client-mock, never AWS.
 */
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:SigningSecret-AbCdEf';
const STORED = 'stored-signing-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const secretsManager = mockClient(SecretsManagerClient);
const original = { secret: process.env.VERITY_SIGNING_SECRET, arn: process.env.VERITY_SIGNING_SECRET_ARN };

/** The signing secret, and the credentials signed under it, as a fresh Lambda container loads them. */
async function startContainer() {
  vi.resetModules();
  const secret = await import('../../../functions/secrets/signing-secret');
  const { withCredentials } = await import('../../../functions/wire/session-secrets');
  return { ...secret, withCredentials };
}

/** The client_secret and url of a session's first generation, as a container signs them. */
const credentialsSignedBy = (secrets: Awaited<ReturnType<typeof startContainer>>) =>
  secrets.withCredentials(
    { object: 'identity.verification_session', id: 'vs_0000abcdEFGHijklMNOPqrst' },
    { client_secret: 0, url: 0 },
    { account: 'acct_test123', mode: 'test' },
  ) as {
    client_secret: string;
    url: string;
  };

beforeEach(() => {
  secretsManager.reset();
  secretsManager.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: STORED });
});
afterEach(() => {
  for (const [name, value] of [
    ['VERITY_SIGNING_SECRET', original.secret],
    ['VERITY_SIGNING_SECRET_ARN', original.arn],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  vi.resetModules();
});

describe('the signing secret in Lambda', () => {
  beforeEach(() => {
    delete process.env.VERITY_SIGNING_SECRET;
    process.env.VERITY_SIGNING_SECRET_ARN = ARN;
  });

  it('is read from Secrets Manager once, at start, and signs every credential after that', async () => {
    const secrets = await startContainer();
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(secretsManager.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: ARN });
    expect(secrets.signingSecret()).toBe(STORED);
    const first = credentialsSignedBy(secrets);
    expect(credentialsSignedBy(secrets)).toEqual(first);
    expect(await secrets.storedSigningSecret(ARN)).toBe(STORED);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('signs what the same secret given locally signs: the stored secret is the one in use', async () => {
    const fromAws = credentialsSignedBy(await startContainer());
    process.env.VERITY_SIGNING_SECRET = STORED;
    const fromEnvironment = credentialsSignedBy(await startContainer());
    process.env.VERITY_SIGNING_SECRET = 'another-signing-secret-0123456789-abcdefghij';
    const fromAnother = credentialsSignedBy(await startContainer());
    expect(fromAws.client_secret).toMatch(/^vs_0000abcdEFGHijklMNOPqrst_secret_test_/);
    expect(fromAws).toEqual(fromEnvironment);
    expect(fromAws.client_secret).not.toBe(fromAnother.client_secret);
  });

  it('fails the start when Secrets Manager refuses, and a new container asks again', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'not found', $metadata: {} }))
      .resolves({ SecretString: STORED });
    await expect(startContainer()).rejects.toThrow(/not found/);
    expect((await startContainer()).signingSecret()).toBe(STORED);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('refuses a stored secret too short to sign with, or one that is binary', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: 'short' })
      .resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });
    await expect(startContainer().then((secrets) => secrets.signingSecret())).rejects.toThrow(/at least 32/);
    await expect(startContainer()).rejects.toThrow(/holds no SecretString/);
  });
});

describe('the signing secret locally', () => {
  it('is VERITY_SIGNING_SECRET, and Secrets Manager is never called, even with an ARN set', async () => {
    process.env.VERITY_SIGNING_SECRET = 'local-signing-secret-0123456789-abcdefghij';
    process.env.VERITY_SIGNING_SECRET_ARN = ARN;
    expect((await startContainer()).signingSecret()).toBe('local-signing-secret-0123456789-abcdefghij');
    delete process.env.VERITY_SIGNING_SECRET_ARN;
    expect((await startContainer()).signingSecret()).toBe('local-signing-secret-0123456789-abcdefghij');
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });
});
