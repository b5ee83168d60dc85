import { describe, expect, it } from 'vitest';
import { idFloorForTime, newObjectId } from '../../../functions/domain/ids';
import { renderFile } from '../../../functions/wire/files';

describe('renderFile', () => {
  it("shows when the file was made (its id), not when it was submitted, so the list's `created` filter finds it by what it shows", () => {
    const uploaded = Date.UTC(2026, 10, 30, 12, 0, 0, 980);
    const id = newObjectId('file', uploaded);
    // Submitted for processing in the next second (the stored `created`: the start of its 48 hours).
    const submitted = Math.floor(uploaded / 1000) + 1;
    const file = renderFile({
      id,
      session: newObjectId('vs'),
      purpose: 'identity_document',
      content_type: 'image/jpeg',
      created: submitted,
      size: 12,
      object_key: 'k',
    });
    expect(file.created).toBe(Math.floor(uploaded / 1000));
    // `created[lt]=file.created` excludes it and `created[gte]=file.created` includes it (list-page.ts bounds ids by these floors).
    expect(id >= idFloorForTime('file', file.created)).toBe(true);
    expect(id < idFloorForTime('file', file.created + 1)).toBe(true);
  });
});
