/**
 * `npm run keys -- profile` as a person runs it, in a child process: set, show and clear an
 * account's public profile through a running service's DynamoDB Local, and one line (exit 2) for
 * every mistake, before anything is stored.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newAccountId } from '../../functions/domain/api-keys';
import { pngImage } from '../support/images';
import { keysCommand } from '../support/keys-command';

const { dataDir, keys } = keysCommand('verity-profile-');
const logoFile = join(dataDir, 'logo.png');
writeFileSync(logoFile, pngImage(120, 40));
const notImage = join(dataDir, 'logo.svg');
writeFileSync(notImage, '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');

describe('npm run keys -- profile', () => {
  it("sets, shows, changes and clears an account's profile", () => {
    const account = newAccountId();
    expect(keys('profile', '--account', account)).toMatchObject({
      status: 0,
      stdout: `Account ${account} has no profile: its pages name the host of each session's return_url.\n`,
    });

    const set = keys(
      'profile',
      '--account',
      account,
      '--name',
      'Northwind Outfitters',
      '--logo',
      logoFile,
      '--primary-color',
      '#0F766E',
      '--support-email',
      'help@northwind.example',
    );
    expect(set.stderr).toBe('');
    expect(set.status).toBe(0);
    expect(set.stdout).toMatch(/name {11}Northwind Outfitters\n/);
    expect(set.stdout).toMatch(/logo {11}image\/png, 120x40 px, served at \/branding\/logos\/logo_[\w-]{43}\n/);
    expect(set.stdout).toContain('primary_color  #0f766e (white text on it, 5.5:1)');
    expect(set.stdout).toContain('Verification pages show this within 60 s.');

    const changed = keys('profile', '--account', account, '--support-email', '', '--support-url', 'https://help.northwind.example');
    expect(changed.status).toBe(0);
    expect(changed.stdout).not.toContain('support_email');
    expect(changed.stdout).toContain('support_url    https://help.northwind.example/');
    expect(keys('profile', '--account', account).stdout).toContain('name           Northwind Outfitters');

    expect(keys('profile', '--account', account, '--clear')).toMatchObject({
      status: 0,
      stdout: expect.stringContaining(`Removed the profile of ${account}.`),
    });
    expect(keys('profile', '--account', account).stdout).toContain('has no profile');
  }, 120_000);

  it('answers every mistake with one line and exit code 2, and stores nothing', () => {
    const account = newAccountId();
    const mistakes: [string[], RegExp][] = [
      [['profile'], /profile needs --account/],
      [['profile', '--account', 'bob'], /--account must look like acct_/],
      [
        ['profile', '--account', account, '--primary-color', 'red;} body { display: none'],
        /--primary-color is not valid: it must be a hex colour/,
      ],
      [['profile', '--account', account, '--logo', notImage], /--logo is not valid: it must be a PNG or JPEG image/],
      [['profile', '--account', account, '--logo', join(dataDir, 'missing.png')], /--logo .*missing\.png: no such file/],
      [['profile', '--account', account, '--name', 'a\u0007b'], /--name is not valid: it must not contain control/],
      [
        ['profile', '--account', account, '--support-url', 'http://northwind.example'],
        /--support-url is not valid: it must be an https URL/,
      ],
      [['profile', '--account', account, '--clear', '--name', 'x'], /--clear removes the whole profile: give it alone/],
      [['create', '--mode', 'test', '--name', 'x'], /--name is for profile, not create/],
    ];
    for (const [args, message] of mistakes) {
      const result = keys(...args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect(keys('profile', '--account', account).stdout).toContain('has no profile');
  }, 180_000);
});
