import { describe, expect, it } from 'vitest';
import { applyMetadataPatch, METADATA_MAX_KEYS, type Metadata } from '../../../functions/domain/metadata';
import { thrown } from '../../support/thrown';

const keys = (n: number, prefix = 'k'): Metadata => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 'v']));

describe('applyMetadataPatch', () => {
  it('leaves metadata alone when no patch is given', () => {
    const current = { a: '1' };
    expect(applyMetadataPatch(current, undefined)).toEqual({ a: '1' });
  });

  it("clears every key with ''", () => {
    expect(applyMetadataPatch({ a: '1', b: '2' }, '')).toEqual({});
  });

  it('adds and replaces keys, keeping the others', () => {
    expect(applyMetadataPatch({ a: '1', b: '2' }, { b: 'two', c: '3' })).toEqual({ a: '1', b: 'two', c: '3' });
  });

  it('removes a key given an empty value', () => {
    expect(applyMetadataPatch({ a: '1', b: '2' }, { a: '' })).toEqual({ b: '2' });
  });

  it('ignores the removal of a key that does not exist', () => {
    expect(applyMetadataPatch({ a: '1' }, { missing: '' })).toEqual({ a: '1' });
  });

  it('does not change the metadata it is given', () => {
    const current = { a: '1' };
    applyMetadataPatch(current, { a: '', b: '2' });
    expect(current).toEqual({ a: '1' });
  });

  it('returns an ordinary object', () => {
    expect(Object.getPrototypeOf(applyMetadataPatch({}, { a: '1' }))).toBe(Object.prototype);
  });

  describe('number of keys', () => {
    it(`allows ${METADATA_MAX_KEYS} keys`, () => {
      expect(METADATA_MAX_KEYS).toBe(50);
      expect(Object.keys(applyMetadataPatch({}, keys(50)))).toHaveLength(50);
    });

    it('refuses a 51st key', () => {
      const error = thrown(() => applyMetadataPatch({}, keys(51)));
      expect(error.kind).toBe('invalid_parameter');
      expect(error.code).toBe('parameter_invalid');
      expect(error.param).toBe('metadata');
      expect(error.message).toContain('51');
    });

    it('counts the keys after merging with the current metadata', () => {
      expect(() => applyMetadataPatch(keys(30, 'old'), keys(20, 'new'))).not.toThrow();
      expect(thrown(() => applyMetadataPatch(keys(30, 'old'), keys(21, 'new'))).param).toBe('metadata');
      expect(thrown(() => applyMetadataPatch(keys(50), { extra: 'x' })).param).toBe('metadata');
    });

    it('does not count keys the same patch removes or replaces', () => {
      expect(Object.keys(applyMetadataPatch(keys(50), { k0: '', extra: 'x' }))).toHaveLength(50);
      expect(Object.keys(applyMetadataPatch(keys(50), { k0: 'new value' }))).toHaveLength(50);
    });

    it('lets a full set be cleared and refilled', () => {
      expect(Object.keys(applyMetadataPatch(applyMetadataPatch(keys(50), ''), keys(50, 'x')))).toHaveLength(50);
    });
  });

  describe('keys', () => {
    it('allows 40 characters', () => {
      const key = 'k'.repeat(40);
      expect(applyMetadataPatch({}, { [key]: 'v' })).toEqual({ [key]: 'v' });
    });

    it('refuses 41 characters, naming the key', () => {
      const key = 'k'.repeat(41);
      const error = thrown(() => applyMetadataPatch({}, { [key]: 'v' }));
      expect(error.kind).toBe('invalid_parameter');
      expect(error.code).toBe('parameter_invalid');
      expect(error.param).toBe(`metadata[${key}]`);
    });

    it.each(['a[b', 'a]b', '[x]', ']', '['])('refuses %j (brackets)', (key) => {
      const error = thrown(() => applyMetadataPatch({}, { [key]: 'v' }));
      expect(error.code).toBe('parameter_invalid');
      expect(error.param).toBe('metadata');
    });

    it('refuses an empty key', () => {
      expect(thrown(() => applyMetadataPatch({}, { '': 'v' })).kind).toBe('invalid_parameter');
    });

    it('allows spaces, dots and other punctuation', () => {
      expect(applyMetadataPatch({}, { 'user id': '1', 'a.b-c_d:e': '2' })).toEqual({ 'user id': '1', 'a.b-c_d:e': '2' });
    });

    it('keeps every name JavaScript objects have as an ordinary key, without touching any prototype', () => {
      const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__'];
      const patch = JSON.parse(JSON.stringify(Object.fromEntries(names.map((name) => [name, `v ${name}`])))) as Metadata;
      const metadata = applyMetadataPatch({}, patch);
      expect(Object.keys(metadata)).toEqual(names);
      for (const name of names) expect(Object.getOwnPropertyDescriptor(metadata, name)?.value).toBe(`v ${name}`);
      expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      // Unset one by one, as any key.
      const cleared = applyMetadataPatch(metadata, JSON.parse('{"__proto__":"","constructor":""}') as Metadata);
      expect(Object.keys(cleared)).toEqual(names.slice(2));
    });
  });

  describe('values', () => {
    it('allows 500 characters', () => {
      expect(applyMetadataPatch({}, { a: 'v'.repeat(500) }).a).toHaveLength(500);
    });

    it('refuses 501 characters, naming the key', () => {
      const error = thrown(() => applyMetadataPatch({}, { a: 'v'.repeat(501) }));
      expect(error.kind).toBe('invalid_parameter');
      expect(error.code).toBe('parameter_invalid');
      expect(error.param).toBe('metadata[a]');
    });

    it('keeps values exactly, whitespace included', () => {
      expect(applyMetadataPatch({}, { a: ' u 1 ', b: 'é✓' })).toEqual({ a: ' u 1 ', b: 'é✓' });
    });
  });
});
