import { describe, expect, it } from 'vitest';
import { VerityError } from '../../../functions/domain/errors';
import { expandParam, resolveExpand } from '../../../functions/wire/expand';
import { parseFormEncoded } from '../../../functions/wire/params';
import { VERIFICATION_SESSION_EXPANDABLE } from '../../../functions/wire/verification-session';
import { thrown } from '../../support/thrown';

const EXPANDABLE = ['provided_details', 'verified_outputs', 'verified_outputs.dob', 'a.b.c.d', 'a.b.c.d.e'] as const;

describe('expandParam', () => {
  const param = expandParam();

  it('accepts `expand[]=`, `expand[0]=` and JSON arrays', () => {
    expect(param(parseFormEncoded('expand[]=a&expand[]=b').expand!, 'expand')).toEqual(['a', 'b']);
    expect(param(parseFormEncoded('expand[0]=a&expand[1]=b').expand!, 'expand')).toEqual(['a', 'b']);
    expect(param(['a'], 'expand')).toEqual(['a']);
  });

  it('refuses a single string and out-of-order indexes', () => {
    expect(thrown(() => param('verified_outputs', 'expand')).param).toBe('expand');
    expect(thrown(() => param(parseFormEncoded('expand[1]=a').expand!, 'expand')).code).toBe('parameter_invalid');
  });

  it('accepts 50 paths and refuses 51', () => {
    const paths = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);
    expect(param(paths(50), 'expand')).toHaveLength(50);
    const error = thrown(() => param(paths(51), 'expand'));
    expect(error.code).toBe('parameter_invalid');
    expect(error.param).toBe('expand');
  });

  it('refuses non-string items under their index', () => {
    expect(thrown(() => param(parseFormEncoded('expand[0][x]=a').expand!, 'expand')).param).toBe('expand[0]');
  });
});

describe('resolveExpand', () => {
  it('expands nothing when nothing is requested', () => {
    expect(resolveExpand(undefined, EXPANDABLE).size).toBe(0);
    expect(resolveExpand([], EXPANDABLE).size).toBe(0);
  });

  it('returns the requested expandable paths', () => {
    expect([...resolveExpand(['provided_details', 'verified_outputs'], EXPANDABLE)].sort()).toEqual([
      'provided_details',
      'verified_outputs',
    ]);
  });

  it('expands the parents of a nested path', () => {
    expect([...resolveExpand(['verified_outputs.dob'], EXPANDABLE)].sort()).toEqual(['verified_outputs', 'verified_outputs.dob']);
    expect([...resolveExpand(['a.b.c.d'], EXPANDABLE)].sort()).toEqual(['a', 'a.b', 'a.b.c', 'a.b.c.d']);
  });

  it('ignores duplicates', () => {
    expect([...resolveExpand(['verified_outputs', 'verified_outputs'], EXPANDABLE)]).toEqual(['verified_outputs']);
  });

  it.each(['client_secret', 'verified_outputs.first_name', 'provided', '', 'data.verified_outputs'])(
    'refuses %j with parameter_invalid on expand',
    (path) => {
      const error = thrown(() => resolveExpand([path], EXPANDABLE));
      expect(error.kind).toBe('invalid_parameter');
      expect(error.code).toBe('parameter_invalid');
      expect(error.param).toBe('expand');
      expect(error.message).toContain(`(${path})`);
    },
  );

  it('refuses more than four levels even for an expandable path', () => {
    const error = thrown(() => resolveExpand(['a.b.c.d.e'], EXPANDABLE));
    expect(error.param).toBe('expand');
    expect(error.message).toMatch(/more than 4 levels/);
  });

  it('fails on the first bad path even after good ones', () => {
    expect(() => resolveExpand(['verified_outputs', 'nope'], EXPANDABLE)).toThrow(VerityError);
  });

  describe('on lists', () => {
    it('requires and strips the `data.` prefix', () => {
      expect([...resolveExpand(['data.verified_outputs.dob'], EXPANDABLE, { list: true })].sort()).toEqual([
        'verified_outputs',
        'verified_outputs.dob',
      ]);
    });

    it.each(['verified_outputs', 'data', 'data.', 'datum.verified_outputs', 'data.unknown'])('refuses %j', (path) => {
      const error = thrown(() => resolveExpand([path], EXPANDABLE, { list: true }));
      expect(error.param).toBe('expand');
      expect(error.message).toContain(path);
    });
  });

  describe('with the VerificationSession expandables', () => {
    it.each([
      'provided_details',
      'verified_outputs',
      'verified_outputs.dob',
      'verified_outputs.id_number',
      'verified_outputs.sex',
      'verified_outputs.unparsed_place_of_birth',
      'verified_outputs.unparsed_sex',
      'last_verification_report',
    ])('accepts %s', (path) => {
      expect(resolveExpand([path], VERIFICATION_SESSION_EXPANDABLE).has(path)).toBe(true);
    });

    it.each(['metadata', 'options', 'verified_outputs.first_name', 'verified_outputs.address', 'related_person'])('refuses %s', (path) => {
      expect(thrown(() => resolveExpand([path], VERIFICATION_SESSION_EXPANDABLE)).param).toBe('expand');
    });
  });
});
