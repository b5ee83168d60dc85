/**
 * The server-side signing secret that credentials, the page's cookie, console sessions and local
 * upload links are signed under. Its own module, below every room that signs, so that the file
 * store and the table's modules read it without importing the wire format.
 */
let stored: Promise<string> | undefined;

/**
 * The signing secret kept in AWS Secrets Manager: the SecretString of the secret
 * `VERITY_SIGNING_SECRET_ARN` names, fetched once per container (Lambda execution environment)
 * and then cached. Rejects with the SDK's error when Secrets Manager refuses (AccessDenied,
 * ResourceNotFound) and when the secret holds no string.
 */
export function storedSigningSecret(secretArn: string): Promise<string> {
  stored ??= (async () => {
    // Loaded only here, so the local runtime and the tests never load the Secrets Manager client.
    const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    const { SecretString } = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (!SecretString) throw new Error(`The secret ${secretArn} holds no SecretString.`);
    return SecretString;
  })();
  return stored;
}

/**
 * Read at start, before the first request: in Lambda the stack gives the secret's ARN, never the
 * secret, and signing stays synchronous. `VERITY_SIGNING_SECRET`, when set (`npm start`, tests),
 * wins and nothing is fetched. A fetch that fails fails the start, and Lambda starts afresh.
 */
const fromSecretsManager =
  process.env.VERITY_SIGNING_SECRET === undefined && process.env.VERITY_SIGNING_SECRET_ARN
    ? await storedSigningSecret(process.env.VERITY_SIGNING_SECRET_ARN)
    : undefined;

/** Signs credentials and the page's own cookie: `VERITY_SIGNING_SECRET`, or the secret read at start. */
export function signingSecret(): string {
  const secret = process.env.VERITY_SIGNING_SECRET ?? fromSecretsManager;
  if (!secret || secret.length < 32) {
    throw new Error('VERITY_SIGNING_SECRET (or the secret VERITY_SIGNING_SECRET_ARN names) must be at least 32 random characters.');
  }
  return secret;
}
