/**
 * The Files API's side of the FileStore: the `file_info` items that describe each image (no
 * bytes), and the `file` items that held an image before uploads. Table reads only, so the routes
 * that list and describe files carry no object store client.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Scope } from '../domain/scope';
import { dynamo } from './client';
import { filteredIndexQuery, queryPage, type PageQuery } from './list-page';
import { objectKey, tableName } from './schema';
import { FILE_INFO_KIND, FILE_KIND, type FileInfo, type StoredFile } from './submissions';

export interface FileListQuery extends PageQuery {
  purpose?: StoredFile['purpose'];
}

/** The file `id` of `scope`, without its bytes; undefined if there is none. */
export const describeFile = async (scope: Scope, id: string) =>
  (await dynamo().send(new GetCommand({ TableName: tableName(), Key: objectKey(scope, id, FILE_INFO_KIND) }))).Item?.info as
    | FileInfo
    | undefined;

/** A page of the scope's files, newest first (Stripe's list order and cursors). */
export const listFiles = (scope: Scope, query: FileListQuery): Promise<{ data: FileInfo[]; hasMore: boolean }> =>
  queryPage(
    filteredIndexQuery(scope, FILE_KIND, 'file', [{ index: 'byType', field: 'purpose', value: query.purpose }]),
    query,
    (item) => item.info as FileInfo,
  );

/** An image kept in a table item, as submissions before uploads stored it; undefined if there is none. */
export const tableFileOf = async (scope: Scope, id: string) =>
  (await dynamo().send(new GetCommand({ TableName: tableName(), Key: objectKey(scope, id, FILE_KIND) }))).Item?.file as
    | StoredFile
    | undefined;
