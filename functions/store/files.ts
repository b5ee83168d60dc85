/**
 * The FileStore port: a verification's images as the Files API reads them, whatever holds them.
 * Today that is the table (`file_…` items written with the submission, and their descriptions,
 * functions/store/submissions.ts); an S3 store can take its place behind the same interface.
 * Reading writes nothing: no copy of an image is made anywhere.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Scope } from '../domain/verification-session';
import { dynamo } from './client';
import { filteredIndexQuery, queryPage, type PageQuery } from './list-page';
import { objectKey, tableName } from './schema';
import { FILE_INFO_KIND, FILE_KIND, type FileInfo, type StoredFile } from './submissions';

export type { FileInfo };

export interface FileListQuery extends PageQuery {
  purpose?: StoredFile['purpose'];
}

export interface FileStore {
  /** The file `id` of `scope`, without its bytes; undefined if there is none. */
  describe(scope: Scope, id: string): Promise<FileInfo | undefined>;
  /** A page of the scope's files, newest first (Stripe's list order and cursors). */
  list(scope: Scope, query: FileListQuery): Promise<{ data: FileInfo[]; hasMore: boolean }>;
  /** The file's bytes and type; undefined if there is none. */
  contents(scope: Scope, id: string): Promise<Pick<StoredFile, 'content_type' | 'data'> | undefined>;
}

/** The table's files: each image one item (at most 380 KB), beside a small description item. */
export const tableFileStore: FileStore = {
  async describe(scope, id) {
    const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: objectKey(scope, id, FILE_INFO_KIND) }));
    return Item?.info as FileInfo | undefined;
  },
  list(scope, query) {
    return queryPage(
      filteredIndexQuery(scope, FILE_KIND, 'file', [{ index: 'byType', field: 'purpose', value: query.purpose }]),
      query,
      (item) => item.info as FileInfo,
    );
  },
  async contents(scope, id) {
    const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: objectKey(scope, id, FILE_KIND) }));
    const file = Item?.file as StoredFile | undefined;
    return file && { content_type: file.content_type, data: file.data };
  },
};

/** The store the Files API uses. */
export const fileStore = (): FileStore => tableFileStore;
