import { describe, expect, it } from 'vitest';
import { checkCursors, createdRange, cursor, listEnvelope, listLimit } from '../../../functions/wire/lists';
import { parseFormEncoded, parseJsonBody } from '../../../functions/wire/params';
import { thrown } from '../../support/thrown';

const created = createdRange();
const query = (text: string) => parseFormEncoded(text).created!;

describe('createdRange', () => {
  it('reads `created=N` as exactly that second', () => {
    expect(created(query('created=1700000000'), 'created')).toEqual({ gte: 1700000000, lte: 1700000000 });
  });

  it('reads a JSON integer the same way', () => {
    expect(created(parseJsonBody('{"created":5}').created!, 'created')).toEqual({ gte: 5, lte: 5 });
  });

  it('reads every bound of a range', () => {
    expect(created(query('created[gt]=1&created[gte]=2&created[lt]=30&created[lte]=40'), 'created')).toEqual({
      gt: 1,
      gte: 2,
      lt: 30,
      lte: 40,
    });
  });

  it('reads a partial range without inventing the other bounds', () => {
    const range = created(query('created[gte]=100'), 'created');
    expect(range).toEqual({ gte: 100 });
    expect(Object.keys(range)).toEqual(['gte']);
  });

  it.each(['eq', 'from', '0', 'GTE'])('refuses created[%s] as parameter_unknown', (key) => {
    const error = thrown(() => created(query(`created[${key}]=1`), 'created'));
    expect(error.kind).toBe('invalid_parameter');
    expect(error.code).toBe('parameter_unknown');
    expect(error.param).toBe(`created[${key}]`);
  });

  it('refuses a non-integer bound, naming it', () => {
    const error = thrown(() => created(query('created[gte]=1&created[lt]=soon'), 'created'));
    expect(error.code).toBe('parameter_invalid_integer');
    expect(error.param).toBe('created[lt]');
  });

  it('refuses a non-integer exact value', () => {
    const error = thrown(() => created(query('created=2024-01-01'), 'created'));
    expect(error.code).toBe('parameter_invalid_integer');
    expect(error.param).toBe('created');
  });

  it('refuses negative timestamps', () => {
    expect(thrown(() => created(query('created=-1'), 'created')).code).toBe('parameter_invalid_integer');
    expect(thrown(() => created(query('created[lt]=-5'), 'created')).param).toBe('created[lt]');
    expect(created(query('created=0'), 'created')).toEqual({ gte: 0, lte: 0 });
  });

  it('refuses empty values as attempts to unset', () => {
    expect(thrown(() => created(query('created='), 'created')).code).toBe('parameter_invalid_empty');
    const error = thrown(() => created(query('created[gte]='), 'created'));
    expect(error.code).toBe('parameter_invalid_empty');
    expect(error.param).toBe('created[gte]');
  });

  it('refuses an array', () => {
    expect(thrown(() => created(query('created[]=1'), 'created')).param).toBe('created');
  });
});

describe('checkCursors', () => {
  it('refuses a cursor that is not an id of the listed objects, naming it', () => {
    const error = thrown(() => checkCursors({ ending_before: 'evt_0000abcdEFGHijklMNOPqrst' }, 'vs', 'verification_session'));
    expect(error).toMatchObject({
      code: 'resource_missing',
      param: 'ending_before',
      message: "No such verification_session: 'evt_0000abcdEFGHijklMNOPqrst'",
    });
  });

  const ID = 'vs_0000abcdEFGHijklMNOPqrst';
  it('accepts no cursor or one cursor', () => {
    expect(() => checkCursors({}, 'vs', 'verification_session')).not.toThrow();
    expect(() => checkCursors({ starting_after: ID }, 'vs', 'verification_session')).not.toThrow();
    expect(() => checkCursors({ ending_before: ID }, 'vs', 'verification_session')).not.toThrow();
  });

  it('refuses both cursors with parameters_exclusive', () => {
    const error = thrown(() => checkCursors({ starting_after: ID, ending_before: ID }, 'vs', 'verification_session'));
    expect(error.kind).toBe('invalid_parameter');
    expect(error.code).toBe('parameters_exclusive');
    expect(error.param).toBe('ending_before');
    expect(error.message).toContain('starting_after');
    expect(error.message).toContain('ending_before');
  });

  it('refuses both cursors even when they are empty strings', () => {
    expect(thrown(() => checkCursors({ starting_after: '', ending_before: '' }, 'vs', 'verification_session')).code).toBe(
      'parameters_exclusive',
    );
  });
});

describe('list parameters', () => {
  it('limit ranges from 1 to 100', () => {
    const limit = listLimit();
    expect(limit('1', 'limit')).toBe(1);
    expect(limit('100', 'limit')).toBe(100);
    for (const value of ['0', '101', '-1', 'ten']) {
      const error = thrown(() => limit(value, 'limit'));
      expect(error.code).toBe('parameter_invalid_integer');
      expect(error.param).toBe('limit');
    }
  });

  it('cursors are strings', () => {
    expect(cursor()('vs_abc', 'starting_after')).toBe('vs_abc');
    expect(thrown(() => cursor()(parseFormEncoded('c[x]=1').c!, 'starting_after')).param).toBe('starting_after');
  });
});

describe('listEnvelope', () => {
  it("wraps data in Stripe's list object", () => {
    const data = [{ id: 'vs_1' }, { id: 'vs_2' }];
    expect(listEnvelope('/v1/identity/verification_sessions', data, true)).toEqual({
      object: 'list',
      data,
      has_more: true,
      url: '/v1/identity/verification_sessions',
    });
    expect(listEnvelope('/v1/x', [], false)).toEqual({ object: 'list', data: [], has_more: false, url: '/v1/x' });
  });
});
