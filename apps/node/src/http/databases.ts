/**
 * Databases. Shoal has exactly one database, `default` (multi-database support is a later
 * feature): every request naming another `dbName` (body, or Milvus's `DB-Name` header) is answered
 * with Milvus's DatabaseNotFound (800); `databases/list` lists `default`; creating, altering,
 * describing and dropping databases are in unsupported.ts.
 */
import { ErrorCode, ShoalError } from '@shoal/actors';
import { ok, type RouteTable } from './route.ts';

/** The only database Shoal has (Milvus's `DefaultDbName`). */
export const DEFAULT_DB = 'default';

/**
 * Checks the database a request addresses: `dbName` of the body, else the `DB-Name` header, else
 * `default` (as Milvus's `wrapperPost`). Throws 800 (DatabaseNotFound) for any other name, and
 * 1801 when `dbName` is present but not a string.
 */
export function checkDatabase(bodyDbName: unknown, header: string | string[] | undefined): void {
  if (bodyDbName !== undefined && bodyDbName !== null && typeof bodyDbName !== 'string') {
    throw new ShoalError(ErrorCode.IncorrectParameterFormat,
      `invalid parameter format: \`dbName\` must be a string, got ${typeof bodyDbName}`);
  }
  const fromHeader = Array.isArray(header) ? header[0] : header;
  const name = (bodyDbName as string | undefined) || fromHeader || DEFAULT_DB;
  if (name !== DEFAULT_DB) {
    throw new ShoalError(ErrorCode.DatabaseNotFound,
      `database not found[database=${name}]: Shoal has only the database "${DEFAULT_DB}" (omit dbName or set it to "${DEFAULT_DB}")`);
  }
}

/** Handler for `/databases/list`. */
export const databaseRoutes: RouteTable = {
  '/databases/list': async () => ok([DEFAULT_DB]),
};
