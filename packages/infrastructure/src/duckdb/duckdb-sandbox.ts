import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBPreparedStatement,
  StatementType,
} from '@duckdb/node-api';
import { type AllowList, loadAllowList, refusalOfSql } from './sql-allow-list';

export type SandboxSettings = {
  /** A private, empty folder DuckDB may spill to; the engine's owner creates and removes it. */
  readonly tempDirectory: string;
  /** DuckDB's memory_limit, in bytes. */
  readonly memoryLimitBytes: number;
  /** max_temp_directory_size, in bytes. */
  readonly tempMaxBytes: number;
  readonly threads: number;
  /**
   * A DuckDB file the events table is kept in, so it outlives the process (absent: in
   * memory). One that cannot be opened (held by another process, damaged) is left alone and
   * the table is kept in memory instead.
   */
  readonly path?: string;
};

const EVENTS_TABLE = `CREATE TABLE IF NOT EXISTS events (
  global_sequence BIGINT PRIMARY KEY,
  id VARCHAR NOT NULL,
  aggregate_type VARCHAR NOT NULL,
  aggregate_id VARCHAR NOT NULL,
  aggregate_sequence INTEGER NOT NULL,
  event_type VARCHAR NOT NULL,
  event_version INTEGER NOT NULL,
  payload JSON,
  metadata JSON,
  created_at TIMESTAMP NOT NULL
)`;

/**
 * DuckDB's configuration at creation, in the order it must be applied: temp_directory before
 * external access is turned off (DuckDB refuses the folder afterwards).
 */
export const sandboxConfig = (settings: SandboxSettings): Record<string, string> => ({
  temp_directory: settings.tempDirectory,
  memory_limit: `${settings.memoryLimitBytes}B`,
  threads: String(settings.threads),
  enable_external_access: 'false',
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  allow_community_extensions: 'false',
  allow_unsigned_extensions: 'false',
});

/**
 * Run on the first connection before anything else. DuckDB 1.5.6 shows a creation-time
 * max_temp_directory_size but does not enforce it (measured: 230 MB spilled under an 8 MB cap);
 * SET after creation is enforced. lock_configuration comes last: from then on no statement,
 * on any connection, can change any setting.
 */
export const sandboxLock = (settings: SandboxSettings): readonly string[] => [
  `SET max_temp_directory_size = '${settings.tempMaxBytes}B'`,
  'SET lock_configuration = true',
];

export type Sandbox = {
  readonly instance: DuckDBInstance;
  /** Whether the table lives in `settings.path`, or why it is in memory instead. */
  readonly persisted: true | string;
  /** The connection the projection appends through. */
  readonly writer: DuckDBConnection;
  readonly allowList: AllowList;
  /**
   * Checks `sql` against the allow-list, then plans it on `connection`: a refusal message, or
   * the prepared statement (the caller destroys it).
   */
  prepare(connection: DuckDBConnection, sql: string): Promise<string | DuckDBPreparedStatement>;
};

const messageOf = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'failed';

/** Opens `settings.path`, or memory when there is none or it cannot be opened. */
const create = async (settings: SandboxSettings) => {
  if (settings.path === undefined) {
    return {
      instance: await DuckDBInstance.create(':memory:', sandboxConfig(settings)),
      persisted: 'no path',
    };
  }
  try {
    return {
      instance: await DuckDBInstance.create(settings.path, sandboxConfig(settings)),
      persisted: true as const,
    };
  } catch (error) {
    return {
      instance: await DuckDBInstance.create(':memory:', sandboxConfig(settings)),
      persisted: messageOf(error),
    };
  }
};

/** A DuckDB with the events table, locked down before anything else can run. */
export const openSandbox = async (settings: SandboxSettings): Promise<Sandbox> => {
  const { instance, persisted } = await create(settings);
  const writer = await instance.connect();
  for (const statement of sandboxLock(settings)) await writer.run(statement);
  await writer.run(EVENTS_TABLE);
  const allowList = await loadAllowList(writer);
  return {
    instance,
    persisted,
    writer,
    allowList,
    async prepare(connection, sql) {
      const refusal = await refusalOfSql(connection, sql, allowList);
      if (refusal) return refusal;
      let prepared: DuckDBPreparedStatement;
      try {
        prepared = await connection.prepare(sql);
      } catch (error) {
        return messageOf(error);
      }
      // The allow-list already saw one SELECT; this is the second opinion, from the planner.
      if (prepared.statementType !== StatementType.SELECT) {
        prepared.destroySync();
        return 'only a read-only SELECT is allowed';
      }
      return prepared;
    },
  };
};
