/**
 * The files the Files API may show: those of sessions that are not being redacted. Redaction
 * deletes a session's files in bounded runs (functions/flows/redaction.ts); from the moment the
 * session is marked for redaction its files are unavailable (404) to every request.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { resourceMissing } from '../domain/errors';
import type { Scope } from '../domain/scope';
import { describeFile } from '../store/file-descriptions';
import type { FileContents } from '../store/files';
import type { FileInfo } from '../store/submissions';
import { getSession } from '../store/sessions';
import { FILE_TYPES } from '../wire/files';
import { isObjectId } from '../domain/ids';

/** The sessions among `sessionIds` whose data is still there (not redacted, nor being redacted): one read per distinct session. */
async function unredactedSessions(scope: Scope, sessionIds: string[]): Promise<Set<string>> {
  const unique = [...new Set(sessionIds)];
  const found = await Promise.all(unique.map(async (id) => ((await getSession(scope, id))?.session.redaction === null ? id : undefined)));
  return new Set(found.filter((id): id is string => id !== undefined));
}

/** The file `id` of `scope`, or 404 `resource_missing` (`No such file: '…'`). */
export async function visibleFile(scope: Scope, id: string): Promise<FileInfo> {
  const file = isObjectId('file', id) ? await describeFile(scope, id) : undefined;
  if (!file || !(await unredactedSessions(scope, [file.session])).has(file.session)) throw resourceMissing('file', id);
  return file;
}

/** `files` without those of sessions being redacted. */
export async function visibleFiles(scope: Scope, files: FileInfo[]): Promise<FileInfo[]> {
  const shown = await unredactedSessions(
    scope,
    files.map((file) => file.session),
  );
  return files.filter((file) => shown.has(file.session));
}

/**
 * The answer with file `id`'s `contents`, as the Files API and the console serve an image: its
 * bytes (base64, as a Lambda response carries binary) named `<id>.<png|jpg|…>`, shown `inline` or
 * downloaded as an `attachment`; or, for an image too large for a Lambda response, a `302` to
 * the presigned GET. `headers` go on both; `imageHeaders` on the bytes alone.
 */
export function fileContentsResponse(
  id: string,
  contents: FileContents,
  disposition: 'inline' | 'attachment',
  headers: Record<string, string>,
  imageHeaders: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  if ('url' in contents) return { statusCode: 302, headers: { ...headers, location: contents.url }, body: '' };
  return {
    statusCode: 200,
    headers: {
      ...headers,
      'content-type': contents.content_type,
      'content-length': String(contents.data.length),
      'content-disposition': `${disposition}; filename="${id}.${FILE_TYPES[contents.content_type]}"`,
      ...imageHeaders,
    },
    body: Buffer.from(contents.data).toString('base64'),
    isBase64Encoded: true,
  };
}
