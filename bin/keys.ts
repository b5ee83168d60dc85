/**
 * `npm run keys -- create|revoke|profile|console-link|console-access|console-end …`: secret and restricted keys,
 * printed once, stored only as hashes, each account's public profile, which the verification page shows, one-time sign-in links to the
 * operators' console, and who may use the console now, with the means to remove them at once (see USAGE).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { accentPalette, contrastRatio, updatedProfile, type AccountProfile, type ProfileUpdate } from '../functions/domain/account-profile';
import {
  apiKeyKind,
  generatePublishableKey,
  generateRestrictedKey,
  generateSecretKey,
  hashSecretKey,
  KEY_PERMISSIONS,
  KEY_RESOURCES,
  newAccountId,
  restrictedKeyGrant,
  type KeyPermission,
  type KeyResource,
  type RestrictedKeyGrant,
} from '../functions/domain/api-keys';
import { VerityError } from '../functions/domain/errors';
import { MAX_LOGO_BYTES, readLogoImage } from '../functions/domain/logo-image';
import { PAGE_LANGUAGES } from '../functions/domain/page-languages';
import type { Mode } from '../functions/domain/scope';
import { logoPath, PROFILE_CACHE_MS } from '../functions/hosted-page/branding';
import { CLEAR_PROFILE, findAccountProfile, updateAccountProfile } from '../functions/store/account-profiles';
import { findReviewPolicy, updateReviewPolicy } from '../functions/store/review-queue';
import { findLivenessSettings, setLivenessChallenge } from '../functions/store/liveness-settings';
import { LIVENESS_CHALLENGES } from '../functions/checks/liveness/availability';
import {
  describeReviewPolicy,
  REVIEW_POLICY_FIELDS,
  updatedReviewPolicy,
  type ReviewPolicy,
  type ReviewPolicyUpdate,
} from '../functions/domain/review-policy';
import {
  CONSOLE_LINK_ID_PREFIX,
  CONSOLE_LINK_SECONDS,
  CONSOLE_ROLES,
  CONSOLE_SESSION_ID_PREFIX,
  endConsoleAccess,
  listConsoleAccess,
  saveConsoleLink,
  type ConsoleRole,
} from '../functions/store/console-sessions';
import { isObjectId } from '../functions/domain/ids';
import { CONSOLE_PATH, newConsoleToken } from '../functions/console/console-access';
import { publicUrl } from '../functions/wire/session-secrets';
import { revokeApiKey, listPublishableKeys, saveApiKey, savePublishableKey } from '../functions/store/api-keys';
import { commandText, parseCommandLine, runCommand, usageError } from '../local/cli';
import { lockDataDir, makePrivate, OperatorError, runningDynamo } from '../local/data-dir';
import { ensureTable, isServing, localClient, startDynamoDbLocal, type LocalDynamo } from '../local/dynamodb';
import { configureLocalEnvironment, persisted } from '../local/runtime';
import { TABLE_NAME_ENV } from '../functions/store/schema';

const COMMAND = 'npm run keys';
const USAGE = `Usage: npm run keys -- create --mode test|live [--account acct_...] [--aws]
       npm run keys -- create --restricted --mode test|live [--account acct_...] [--permission RESOURCE=LEVEL ...]
                              [--sensitive-results] [--allowed-ip ADDRESS[/BITS] ...] [--aws]
       npm run keys -- create --publishable --mode test|live --account acct_... [--aws]
       npm run keys -- publishable --account acct_... --mode test|live [--aws]
       npm run keys -- revoke --key sk_...|rk_...|pk_... [--aws]
       npm run keys -- profile --account acct_... [--name TEXT] [--logo FILE] [--primary-color #rrggbb]
                               [--support-email ADDRESS] [--support-url https://...]
                               [--embedding-origins "https://shop.example ..."]
                               [--privacy-policy-url https://...] [--default-locale TAG] [--clear] [--aws]
       npm run keys -- review-policy --account acct_... --mode test|live [--face-similarity FROM-TO]
                               [--liveness-confidence FROM-TO] [--mrz-unreadable on|off] [--blocklist-match on|off]
                               [--duplicate-document on|off] [--liveness-unavailable on|off] [--sample-rate RATE] [--clear] [--aws]
       npm run keys -- liveness --account acct_... --mode test|live [--challenge ${LIVENESS_CHALLENGES.join('|')}|default] [--aws]
       npm run keys -- console-link --account acct_... --mode test|live --email ADDRESS --role viewer|reviewer|admin [--aws]
       npm run keys -- console-access --account acct_... --mode test|live [--aws]
       npm run keys -- console-end --account acct_... --mode test|live --session cs_...|--link cl_...|--email ADDRESS [--aws]

  create   makes a secret key and prints it once (only its hash is stored); without --account
           the key belongs to a new account
           --restricted makes a restricted key (rk_...) instead: read on every resource, no
           writes and no sensitive results unless given. --permission RESOURCE=none|read|write
           (repeatable; resources: ${KEY_RESOURCES.join(', ')}; write includes read).
           --sensitive-results: may read dob, id numbers, document numbers and images, of
           verifications processed in the last 48 hours, or of all with --allowed-ip.
           --allowed-ip (repeatable, or comma-separated): the key is refused from any other
           client address
           --publishable makes a publishable key (pk_...) of an existing account instead: public, for
           a web page's script (the /v3/ drop-in for Stripe.js, docs/stripe-js-modal.md); it may only
           open the verification modal for that account's sessions, and no API call
  publishable  lists the account's publishable keys in one mode (they are public: shown again)
  revoke   deletes a key's hash; functions that have the key cached accept it up to a minute more
  profile  shows the account's public profile, which the verification page shows (both modes);
           with options, sets those fields and keeps the others. An empty value ("") removes a
           field; --clear removes the whole profile. --name: 1-100 characters. --logo: a PNG or
           JPEG file of at most 256 KiB and 1024x1024 pixels. --primary-color: the page's buttons
           and links. --support-email, --support-url (https): how a person reaches the business.
           --embedding-origins: the web origins (https; http only for localhost in test mode) whose
           pages may open the verification modal with a publishable key, space-separated.
           --privacy-policy-url (https): linked from the consent step. --default-locale: the page's
           language when the browser asks for none it has (${PAGE_LANGUAGES.join(', ')}).
           Pages show a change within a minute.
  review-policy  shows the account's review policy in one mode (off unless set): the verdicts held
           for a person in the console's To review queue instead of decided by the checks
           (docs/console.md#the-review-queue). With options, sets those and keeps the others; an
           empty value ("") removes one; --clear removes the policy. --face-similarity and
           --liveness-confidence FROM-TO (0-100): hold a score s with FROM <= s < TO.
           --mrz-unreadable, --blocklist-match, --duplicate-document, --liveness-unavailable on|off:
           hold those. --sample-rate RATE (above 0, at most 1): hold that share at random.
  liveness  shows the Face Liveness challenge the account's verifications ask for in one mode
           (docs/reference/liveness.md#challenge); --challenge sets it: FaceMovementChallenge (movement
           only, no flashing colours) or FaceMovementAndLightChallenge; default goes back to the
           deployment's (VERITY_FACE_LIVENESS_CHALLENGE, else FaceMovementAndLightChallenge).
  console-link  prints a link that signs one operator in to the console once, within 10 minutes,
           for one account in one mode with one role (viewer: lists and statuses, no personal
           data; reviewer: also reveals personal data and images, each recorded; admin: also
           cancels and redacts). Only a keyed digest of the link is stored. The link is on
           VERITY_PUBLIC_URL (default: the address of the npm start running on the data folder,
           else http://localhost:4242); with --aws, set it to the stack's ApiUrl and
           VERITY_SIGNING_SECRET_ARN to the stack's signing secret.
  console-access  lists who may use the console of one account in one mode now: its live console
           sessions (cs_...) and its sign-in links not yet used (cl_...), with address and role
  console-end  removes an operator at once: --session ends one console session (its next request
           is refused), --link cancels one unused sign-in link, --email does both for every
           session and link of that address. Admins can do the same on the console's Operators page.

Locally the key is written through the running npm start's DynamoDB Local (VERITY_DATA_DIR,
default .verity), or through one started for the moment if none runs. With --aws it is written
to the table named by ${TABLE_NAME_ENV}, with the usual AWS credentials and region.`;

const { positionals, values } = parseCommandLine({
  name: COMMAND,
  usage: USAGE,
  config: {
    allowPositionals: true,
    options: {
      mode: { type: 'string' },
      account: { type: 'string' },
      key: { type: 'string' },
      aws: { type: 'boolean', default: false },
      name: { type: 'string' },
      logo: { type: 'string' },
      'primary-color': { type: 'string' },
      'support-email': { type: 'string' },
      'support-url': { type: 'string' },
      'embedding-origins': { type: 'string' },
      'privacy-policy-url': { type: 'string' },
      'default-locale': { type: 'string' },
      'face-similarity': { type: 'string' },
      'liveness-confidence': { type: 'string' },
      'mrz-unreadable': { type: 'string' },
      'blocklist-match': { type: 'string' },
      'duplicate-document': { type: 'string' },
      'liveness-unavailable': { type: 'string' },
      'sample-rate': { type: 'string' },
      challenge: { type: 'string' },
      clear: { type: 'boolean', default: false },
      restricted: { type: 'boolean', default: false },
      publishable: { type: 'boolean', default: false },
      permission: { type: 'string', multiple: true },
      'sensitive-results': { type: 'boolean', default: false },
      'allowed-ip': { type: 'string', multiple: true },
      email: { type: 'string' },
      role: { type: 'string' },
      session: { type: 'string' },
      link: { type: 'string' },
    },
  },
});
const fail: (message: string) => never = (message) => usageError({ name: COMMAND }, message);
const [command, ...extra] = positionals;
if (command === undefined)
  fail('say what to do: create, publishable, revoke, profile, review-policy, liveness, console-link, console-access or console-end');
if (extra.length > 0) fail(`unexpected argument "${extra[0]}"`);
const ACCOUNT_ID = /^acct_[0-9A-Za-z]{1,64}$/;
const PROFILE_OPTIONS = {
  name: 'name',
  logo: 'logo',
  'primary-color': 'primary_color',
  'support-email': 'support_email',
  'support-url': 'support_url',
  'embedding-origins': 'embedding_origins',
  'privacy-policy-url': 'privacy_policy_url',
  'default-locale': 'default_locale',
} as const;
const profileOptionsGiven = (Object.keys(PROFILE_OPTIONS) as (keyof typeof PROFILE_OPTIONS)[]).filter(
  (option) => values[option] !== undefined,
);
const REVIEW_OPTIONS = {
  'face-similarity': 'face_similarity',
  'liveness-confidence': 'liveness_confidence',
  'mrz-unreadable': 'mrz_unreadable',
  'blocklist-match': 'blocklist_match',
  'duplicate-document': 'duplicate_document',
  'liveness-unavailable': 'liveness_unavailable',
  'sample-rate': 'sample_rate',
} as const;
const reviewOptionsGiven = (Object.keys(REVIEW_OPTIONS) as (keyof typeof REVIEW_OPTIONS)[]).filter(
  (option) => values[option] !== undefined,
);
if (command !== 'liveness' && values.challenge !== undefined) fail(`--challenge is for liveness, not ${command}`);
if (command !== 'review-policy' && reviewOptionsGiven.length > 0) fail(`--${reviewOptionsGiven[0]} is for review-policy, not ${command}`);
if (command !== 'profile' && command !== 'review-policy' && (profileOptionsGiven.length > 0 || values.clear))
  fail(`--${profileOptionsGiven[0] ?? 'clear'} is for profile, not ${command}`);
if (command === 'review-policy' && profileOptionsGiven.length > 0) fail(`--${profileOptionsGiven[0]} is for profile, not ${command}`);
const restrictedOptionGiven = (['permission', 'sensitive-results', 'allowed-ip'] as const).find(
  (option) => values[option] !== undefined && values[option] !== false,
);
if (restrictedOptionGiven && !values.restricted) fail(`--${restrictedOptionGiven} is for create --restricted`);
if (values.restricted && command !== 'create') fail(`--restricted is for create, not ${command}`);
if (values.publishable && command !== 'create') fail(`--publishable is for create, not ${command}`);
if (values.publishable && values.restricted) fail('a key is --restricted or --publishable, not both');
if (command !== 'console-link' && values.role !== undefined) fail(`--role is for console-link, not ${command}`);
if (command !== 'console-link' && command !== 'console-end' && values.email !== undefined)
  fail(`--email is for console-link or console-end, not ${command}`);
if (command !== 'console-end' && (values.session !== undefined || values.link !== undefined))
  fail(`--${values.session !== undefined ? 'session' : 'link'} is for console-end, not ${command}`);
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{1,63}$/;
let profileUpdate: ProfileUpdate | undefined;
let restrictedGrant: RestrictedKeyGrant | undefined;
let reviewUpdate: ReviewPolicyUpdate | undefined;
if (command === 'profile') {
  if (values.account === undefined) fail('profile needs --account acct_...');
  if (!ACCOUNT_ID.test(values.account)) fail('--account must look like acct_ followed by letters and digits');
  if (values.mode !== undefined || values.key !== undefined)
    fail('profile takes --account, the profile options and --aws; not --mode or --key');
  if (values.clear && profileOptionsGiven.length > 0) fail('--clear removes the whole profile: give it alone');
  profileUpdate = values.clear ? CLEAR_PROFILE : profileOptionsGiven.length > 0 ? readProfileOptions() : undefined;
} else if (command === 'review-policy') {
  if (values.account === undefined || !ACCOUNT_ID.test(values.account))
    fail('review-policy needs --account acct_... (acct_ followed by letters and digits)');
  if (values.mode !== 'test' && values.mode !== 'live') fail('review-policy needs --mode test or --mode live');
  if (values.key !== undefined) fail('--key is for revoke, not review-policy');
  if (values.clear && reviewOptionsGiven.length > 0) fail('--clear removes the whole policy: give it alone');
  reviewUpdate = values.clear
    ? Object.fromEntries(REVIEW_POLICY_FIELDS.map((field) => [field, null]))
    : reviewOptionsGiven.length > 0
      ? readReviewOptions()
      : undefined;
} else if (command === 'liveness') {
  if (values.account === undefined || !ACCOUNT_ID.test(values.account))
    fail('liveness needs --account acct_... (acct_ followed by letters and digits)');
  if (values.mode !== 'test' && values.mode !== 'live') fail('liveness needs --mode test or --mode live');
  if (values.key !== undefined) fail('--key is for revoke, not liveness');
  if (
    values.challenge !== undefined &&
    values.challenge !== 'default' &&
    !(LIVENESS_CHALLENGES as readonly string[]).includes(values.challenge)
  )
    fail(`--challenge must be ${LIVENESS_CHALLENGES.join(', ')} or default`);
} else if (command === 'create') {
  if (values.mode === undefined) fail('create needs --mode test or --mode live');
  if (values.mode !== 'test' && values.mode !== 'live') fail(`--mode must be test or live, not "${values.mode}"`);
  if (values.key !== undefined) fail('--key is for revoke, not create');
  if (values.account !== undefined && !ACCOUNT_ID.test(values.account))
    fail('--account must look like acct_ followed by letters and digits');
  if (values.restricted) restrictedGrant = readRestrictedOptions();
  if (values.publishable && values.account === undefined)
    fail('create --publishable needs --account acct_... (the account it opens the modal for)');
} else if (command === 'publishable') {
  if (values.account === undefined || !ACCOUNT_ID.test(values.account))
    fail('publishable needs --account acct_... (acct_ followed by letters and digits)');
  if (values.mode !== 'test' && values.mode !== 'live') fail('publishable needs --mode test or --mode live');
  if (values.key !== undefined) fail('--key is for revoke, not publishable');
} else if (command === 'revoke') {
  if (values.key === undefined) fail('revoke needs --key sk_..., --key rk_... or --key pk_...');
  if (apiKeyKind(values.key) === undefined)
    fail('--key must be an API key: sk_test_..., sk_live_..., rk_test_..., rk_live_..., pk_test_... or pk_live_...');
  if (values.mode !== undefined || values.account !== undefined) fail('revoke takes only --key (and --aws)');
} else if (command === 'console-link') {
  if (values.account === undefined || !ACCOUNT_ID.test(values.account))
    fail('console-link needs --account acct_... (acct_ followed by letters and digits)');
  if (values.mode !== 'test' && values.mode !== 'live') fail('console-link needs --mode test or --mode live');
  if (values.email === undefined || !EMAIL.test(values.email))
    fail("console-link needs --email with the operator's address (name@example.com)");
  if (!(CONSOLE_ROLES as readonly string[]).includes(values.role ?? '')) fail(`console-link needs --role ${CONSOLE_ROLES.join(', ')}`);
  if (values.key !== undefined) fail('--key is for revoke, not console-link');
} else if (command === 'console-access' || command === 'console-end') {
  if (values.account === undefined || !ACCOUNT_ID.test(values.account))
    fail(`${command} needs --account acct_... (acct_ followed by letters and digits)`);
  if (values.mode !== 'test' && values.mode !== 'live') fail(`${command} needs --mode test or --mode live`);
  if (values.key !== undefined) fail(`--key is for revoke, not ${command}`);
  if (command === 'console-end') {
    const given = (['session', 'link', 'email'] as const).filter((option) => values[option] !== undefined);
    if (given.length !== 1) fail('console-end needs one of --session cs_..., --link cl_... or --email ADDRESS');
    if (values.session !== undefined && !isObjectId(CONSOLE_SESSION_ID_PREFIX, values.session))
      fail('--session must be a console session id (cs_...)');
    if (values.link !== undefined && !isObjectId(CONSOLE_LINK_ID_PREFIX, values.link)) fail('--link must be a sign-in link id (cl_...)');
    if (values.email !== undefined && !EMAIL.test(values.email)) fail('--email must be an address (name@example.com)');
  }
} else {
  fail(
    `unknown command "${command}": use create, publishable, revoke, profile, review-policy, liveness, ` +
      'console-link, console-access or console-end',
  );
}

/** The review options as an update, every value checked first: an empty value removes the setting. One line naming the option, exit 2. */
function readReviewOptions(): ReviewPolicyUpdate {
  const update: ReviewPolicyUpdate = {};
  for (const option of reviewOptionsGiven) update[REVIEW_OPTIONS[option]] = values[option] === '' ? null : values[option]!;
  try {
    updatedReviewPolicy({}, update);
  } catch (error) {
    if (!(error instanceof VerityError)) throw error;
    const option = Object.entries(REVIEW_OPTIONS).find(([, field]) => field === error.param)?.[0];
    fail(error.message.replace(/^Invalid [a-z_]+: /, `--${option} is not valid: `));
  }
  return update;
}

/**
 * The profile options as an update, every value checked before any storage is started: an empty
 * value removes the field. A mistake is one line naming the option, exit code 2.
 */
function readProfileOptions(): ProfileUpdate {
  const update: ProfileUpdate = {};
  try {
    for (const option of profileOptionsGiven) {
      const value = values[option]!;
      if (option === 'logo') update.logo = value === '' ? null : readLogoImage(readLogoFile(value));
      else update[PROFILE_OPTIONS[option]] = value === '' ? null : value;
    }
    updatedProfile({}, update, (image) => ({ id: 'logo_', content_type: image.content_type, width: image.width, height: image.height }));
  } catch (error) {
    if (!(error instanceof VerityError)) throw error;
    const option = Object.entries(PROFILE_OPTIONS).find(([, field]) => field === error.param)?.[0];
    fail(error.message.replace(/^Invalid [a-z_]+: /, `--${option} is not valid: `));
  }
  return update;
}

/** The restricted key's options as its grant; a mistake is one line naming the option, exit code 2. */
function readRestrictedOptions(): RestrictedKeyGrant {
  const permissions: Partial<Record<KeyResource, KeyPermission>> = {};
  for (const entry of values.permission ?? []) {
    const [resource = '', level, ...rest] = entry.split('=');
    if (!(KEY_RESOURCES as readonly string[]).includes(resource) || rest.length > 0) {
      fail(`--permission ${entry}: the resource must be one of ${KEY_RESOURCES.join(', ')} (as RESOURCE=LEVEL)`);
    }
    if (!(KEY_PERMISSIONS as readonly string[]).includes(level ?? '')) fail(`--permission ${entry}: the level must be none, read or write`);
    if (permissions[resource as KeyResource] !== undefined) fail(`--permission ${resource} is given twice`);
    permissions[resource as KeyResource] = level as KeyPermission;
  }
  const allowedIps = (values['allowed-ip'] ?? []).flatMap((entry) => entry.split(',')).filter((entry) => entry.trim() !== '');
  try {
    return restrictedKeyGrant({ permissions, sensitive_results: values['sensitive-results'], allowed_ips: allowedIps });
  } catch (error) {
    if (!(error instanceof VerityError)) throw error;
    return fail(`--allowed-ip: ${error.message}`);
  }
}

/** A key's grant as the command shows it: one line. */
function describeGrant(grant: RestrictedKeyGrant): string {
  const permissions = KEY_RESOURCES.map((resource) => `${resource}=${grant.permissions[resource]}`).join(', ');
  const sensitive = grant.sensitive_results
    ? grant.allowed_ips.length
      ? 'sensitive results: all'
      : 'sensitive results: last 48 hours'
    : 'no sensitive results';
  const from = grant.allowed_ips.length ? `only from ${grant.allowed_ips.join(', ')}` : 'from any address';
  return `Permissions: ${permissions}; ${sensitive}; ${from}`;
}

/** A logo file's bytes, reading at most one byte past what a logo may have (a device or a huge file is never read whole). */
function readLogoFile(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    return fail(`--logo ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  try {
    const buffer = Buffer.alloc(MAX_LOGO_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    return buffer.subarray(0, length);
  } catch (error) {
    return fail(`--logo ${path}: ${(error as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** The profile as the command shows it: one field a line. */
function describeProfile(account: string, profile: AccountProfile | undefined): string {
  if (!profile || Object.keys(profile).length === 0)
    return `Account ${account} has no profile: its pages name the host of each session's return_url.`;
  const palette = accentPalette(profile.primary_color);
  const lines = [
    profile.name !== undefined && `name           ${profile.name}`,
    profile.logo &&
      `logo           ${profile.logo.content_type}, ${profile.logo.width}x${profile.logo.height} px, served ` +
        `at ${logoPath(profile.logo.id)}`,
    palette &&
      `primary_color  ${palette.accent} (${palette.onAccent === '#ffffff' ? 'white' : 'black'} text on ` +
        `it, ${contrastRatio(palette.accent, palette.onAccent).toFixed(1)}:1)`,
    profile.support_email !== undefined && `support_email  ${profile.support_email}`,
    profile.support_url !== undefined && `support_url    ${profile.support_url}`,
    profile.embedding_origins !== undefined && `embedding_origins  ${profile.embedding_origins} (may open the modal)`,
    profile.privacy_policy_url !== undefined && `privacy_policy_url  ${profile.privacy_policy_url}`,
    profile.default_locale !== undefined && `default_locale ${profile.default_locale}`,
  ];
  return [`Account ${account}, public profile (test and live mode):`, ...lines.filter(Boolean).map((line) => `  ${line}`)].join('\n');
}
if (values.aws && !process.env[TABLE_NAME_ENV]) fail(`--aws needs ${TABLE_NAME_ENV} (the stack prints it as an output)`);

await runCommand(COMMAND, async () => {
  let dynamo: LocalDynamo | undefined;
  let release: () => void = () => {};
  // Said after every change, so a key made for the wrong data folder is noticed at once.
  let where = `the table ${process.env[TABLE_NAME_ENV]} (AWS)`;
  if (!values.aws) {
    const dataDir = resolve(process.env.VERITY_DATA_DIR || '.verity');
    // The running `npm start` holds the data folder; use its DynamoDB Local, or hold the folder
    // and start one for the moment.
    const running = runningDynamo(dataDir);
    if (running && (await isServing(running))) {
      dynamo = { endpoint: running.endpoint, accessKeyId: running.accessKeyId, stop: async () => undefined };
      // Links point at the running service's own address (its port may not be 4242), unless the operator names another.
      if (running.publicUrl) process.env.VERITY_PUBLIC_URL ??= running.publicUrl;
      where = commandText(`${dataDir}, the data folder of the npm start running on it`);
    } else {
      where = commandText(`${dataDir} (no npm start is running on it now: start one with VERITY_DATA_DIR=${dataDir} to use this)`);
      release = lockDataDir(dataDir).release;
      makePrivate(dataDir);
      dynamo = await startDynamoDbLocal({ dataDir: resolve(dataDir, 'dynamodb') });
    }
    // The secret npm start signs with on this data folder: a link's digest must be the one it computes.
    process.env.VERITY_SIGNING_SECRET ??= persisted(dataDir, 'signing-secret', () => randomBytes(32).toString('base64url'));
    const client = localClient(dynamo);
    await ensureTable(client, 'verity');
    client.destroy();
    configureLocalEnvironment({ dynamo, tableName: 'verity' });
  }
  try {
    if (command === 'profile') {
      const account = values.account!;
      if (!profileUpdate) {
        console.log(describeProfile(account, await findAccountProfile(account)));
      } else {
        const { previous, profile } = await updateAccountProfile(account, profileUpdate, new Date()).catch((error: unknown) => {
          throw error instanceof VerityError && error.kind === 'conflict' ? new OperatorError(error.message) : error;
        });
        if (values.clear) console.log(previous ? `Removed the profile of ${account}.` : `Account ${account} had no profile.`);
        else console.log(describeProfile(account, profile));
        console.log(`Verification pages show this within ${PROFILE_CACHE_MS / 1000} s.`);
      }
    } else if (command === 'review-policy') {
      const scope = { account: values.account!, mode: values.mode as Mode };
      const describe = (policy: ReviewPolicy | undefined) => {
        const lines = describeReviewPolicy(policy);
        return lines.length
          ? [`Review policy of ${scope.account} in ${scope.mode} mode:`, ...lines.map((line) => `  ${line}`)].join('\n')
          : `Account ${scope.account} has no review policy in ${scope.mode} mode: the checks decide every verdict.`;
      };
      if (!reviewUpdate) console.log(describe(await findReviewPolicy(scope, true)));
      else {
        const { policy } = await updateReviewPolicy(scope, reviewUpdate, new Date()).catch((error: unknown) => {
          throw error instanceof VerityError && error.kind === 'conflict' ? new OperatorError(error.message) : error;
        });
        console.log(describe(policy));
      }
    } else if (command === 'liveness') {
      const scope = { account: values.account!, mode: values.mode as Mode };
      if (values.challenge !== undefined) {
        await setLivenessChallenge(scope, values.challenge === 'default' ? null : values.challenge, new Date());
      }
      const { challenge } = await findLivenessSettings(scope, true);
      console.log(
        challenge
          ? `Account ${scope.account} asks for ${challenge} in ${scope.mode} mode.`
          : `Account ${scope.account} has no challenge of its own in ${scope.mode} mode: the deployment's applies ` +
              `(VERITY_FACE_LIVENESS_CHALLENGE, else FaceMovementAndLightChallenge).`,
      );
    } else if (command === 'console-link') {
      const token = newConsoleToken();
      const role = values.role as ConsoleRole;
      const link = await saveConsoleLink(
        token,
        { scope: { account: values.account!, mode: values.mode as Mode }, email: values.email!, role },
        new Date(),
      );
      console.log(
        `Console sign-in link for ${values.email} (${role}, ${values.account}, ${values.mode} mode), valid once ` +
          `within ${CONSOLE_LINK_SECONDS / 60} minutes:`,
      );
      console.log(`${publicUrl()}${CONSOLE_PATH}/sign_in?token=${token}`);
      console.log(`Link id (to cancel it: console-end --link): ${link.id}`);
    } else if (command === 'console-access') {
      const scope = { account: values.account!, mode: values.mode as Mode };
      const { sessions, links } = await listConsoleAccess(scope, new Date());
      const until = (expires: number) => new Date(expires * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
      console.log(`Console of ${scope.account}, ${scope.mode} mode:`);
      console.log(sessions.length ? 'Signed in:' : 'Signed in: nobody');
      for (const entry of sessions) console.log(`  ${entry.id}  ${entry.email} (${entry.role}), until ${until(entry.expires)}`);
      console.log(links.length ? 'Unused sign-in links:' : 'Unused sign-in links: none');
      for (const entry of links) console.log(`  ${entry.id}  ${entry.email} (${entry.role}), valid until ${until(entry.expires)}`);
    } else if (command === 'console-end') {
      const scope = { account: values.account!, mode: values.mode as Mode };
      const target =
        values.session !== undefined
          ? { session: values.session }
          : values.link !== undefined
            ? { link: values.link }
            : { email: values.email! };
      const { sessions, links } = await endConsoleAccess(scope, target, new Date());
      for (const entry of sessions) console.log(`Ended console session ${entry.id} of ${entry.email} (${entry.role}).`);
      for (const entry of links) console.log(`Canceled sign-in link ${entry.id} for ${entry.email} (${entry.role}).`);
      if (!sessions.length && !links.length) console.log('Nothing to end: no live console session or unused link matches.');
      process.exitCode = sessions.length || links.length ? 0 : 1;
    } else if (command === 'revoke') {
      const revoked = await revokeApiKey(hashSecretKey(values.key!), apiKeyKind(values.key!)?.type === 'publishable');
      console.log(revoked ? 'Revoked.' : 'No such key.');
      process.exitCode = revoked ? 0 : 1;
    } else if (command === 'publishable') {
      const scope = { account: values.account!, mode: values.mode as Mode };
      const keys = await listPublishableKeys(scope);
      console.log(`Publishable keys of ${scope.account}, ${scope.mode} mode:${keys.length ? '' : ' none'}`);
      for (const entry of keys) console.log(`  ${entry.key}  (made ${new Date(entry.created * 1000).toISOString()})`);
    } else if (values.publishable) {
      const mode = values.mode as Mode;
      const key = generatePublishableKey(mode);
      await savePublishableKey(key, hashSecretKey(key), { account: values.account!, mode }, new Date());
      console.log(`Account: ${values.account}`);
      console.log(`Publishable key (${mode} mode; public, for your web page's script): ${key}`);
    } else {
      const mode = values.mode as Mode;
      const key = restrictedGrant ? generateRestrictedKey(mode) : generateSecretKey(mode);
      const scope = await saveApiKey(hashSecretKey(key), { account: values.account ?? newAccountId(), mode }, new Date(), restrictedGrant);
      console.log(`Account: ${scope.account}`);
      console.log(`${restrictedGrant ? 'Restricted' : 'Secret'} key (${mode} mode, shown only now): ${key}`);
      if (restrictedGrant) console.log(describeGrant(restrictedGrant));
    }
    if (command === 'console-access' || command === 'publishable') console.log(`Read from ${where}.`);
    else if (command !== 'profile' || profileUpdate) console.log(`Stored in ${where}.`);
  } finally {
    await dynamo?.stop();
    release();
  }
});
