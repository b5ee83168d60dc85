/**
 * `npm run seal-sessions`: brings the sessions stored before crypto-shredding under keys of their
 * own (functions/store/seal-existing.ts; docs/reference/redaction.md, *Crypto-shredding*), with their reports, events and
 * saved responses. Runs against the table the environment names, as the functions do: in AWS with
 * `VERITY_TABLE_NAME`, `VERITY_KEY_TABLE_NAME` and `VERITY_KEY_ENCRYPTION_SECRET_ARN` (the values a
 * Verity function's configuration shows) and credentials that may read and write both tables and
 * read the secret. Safe to run again, and beside live traffic: each session is rewritten through
 * the same conditional change as any other write. Prints each session's id, then the counts.
 */
import { sealSessionsStoredBeforeKeys } from '../functions/store/seal-existing';

const counts = await sealSessionsStoredBeforeKeys({ onSession: (id) => console.log(id) });
console.log(JSON.stringify(counts));
