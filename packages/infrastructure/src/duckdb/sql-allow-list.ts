import type { DuckDBConnection } from '@duckdb/node-api';

/** What an analytics query may name: decided once per engine from DuckDB's own catalog. */
export type AllowList = {
  /** Lower-case names of the scalar, aggregate (and window) functions and scalar macros allowed. */
  readonly functions: ReadonlySet<string>;
  /** Lower-case names of every table and view DuckDB knows (system ones included). */
  readonly catalogNames: ReadonlySet<string>;
};

/** The one base table a query may read (plus the CTEs it defines itself). */
export const QUERYABLE_TABLE = 'events';

// Functions that read or change settings, variables, the environment, files, logs, profiles,
// checkpoints or the catalog, or that run SQL text: refused even where DuckDB calls them pure.
const DENIED_FUNCTION =
  /setting|getenv|variable|^read_|log(ging|_message)|^write_log|profil|checkpoint|_sql$|extension|secret|sleep|^current_(?!date$|time$|timestamp$|localtime$|localtimestamp$)|^pg_|privilege|^inet_|description$|^format_(pg_)?type$|^map_to_pg_oid$|^txid_|^get_block_size$|search_path|^(session_)?user$|version|database|schema|^stats$/;

// `unnest` is a table function in the catalog, but in a select list it is an ordinary expression.
const SELECT_LIST_FUNCTIONS = ['unnest'];

/** Builds the allow-list from duckdb_functions(), duckdb_tables() and duckdb_views(). */
export const loadAllowList = async (connection: DuckDBConnection): Promise<AllowList> => {
  const functions = await connection.runAndReadAll(
    `SELECT DISTINCT lower(function_name) FROM duckdb_functions()
     WHERE function_type IN ('scalar', 'aggregate', 'macro')
       AND NOT coalesce(has_side_effects, false)`,
  );
  const names = await connection.runAndReadAll(
    `SELECT lower(table_name) FROM duckdb_tables() UNION SELECT lower(view_name) FROM duckdb_views()`,
  );
  const allowed = new Set(SELECT_LIST_FUNCTIONS);
  for (const [name] of functions.getRowsJson()) {
    if (typeof name === 'string' && !DENIED_FUNCTION.test(name)) allowed.add(name);
  }
  return {
    functions: allowed,
    catalogNames: new Set(names.getRowsJson().map(([name]) => String(name))),
  };
};

// Every kind of node a query may contain, by DuckDB's own names for them. Anything else
// (TABLE_FUNCTION, SHOW_REF, PIVOT, PARAMETER, DEFAULT, kinds a later DuckDB adds) is refused.
const EXPRESSION_CLASSES = new Set([
  'BETWEEN',
  'CASE',
  'CAST',
  'COLLATE',
  'COLUMN_REF',
  'COMPARISON',
  'CONJUNCTION',
  'CONSTANT',
  'FUNCTION',
  'LAMBDA',
  'LAMBDA_REF',
  'OPERATOR',
  'POSITIONAL_REFERENCE',
  'STAR',
  'SUBQUERY',
  'WINDOW',
]);
const NODE_TYPES = new Set([
  'SELECT_NODE',
  'SET_OPERATION_NODE',
  'RECURSIVE_CTE_NODE',
  'CTE_NODE',
  'BASE_TABLE',
  'JOIN',
  'SUBQUERY',
  'EMPTY',
  'EXPRESSION_LIST',
  'ORDER_MODIFIER',
  'LIMIT_MODIFIER',
  'LIMIT_PERCENT_MODIFIER',
  'DISTINCT_MODIFIER',
  'ORDER_DEFAULT',
  'ASCENDING',
  'DESCENDING',
]);
const TYPE_INFO = /^[A-Z_]+_TYPE_INFO$/;
// CTE names are plain identifiers, so none can look like a file a replacement scan would open.
const CTE_NAME = /^[a-z_][a-z0-9_]*$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Node = { [key: string]: Json };

const isNode = (value: Json | undefined): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: Json | undefined) => (typeof value === 'string' ? value : '');

/** The CTEs a query node defines, in order. */
const ctesOf = (node: Node): Array<{ name: string; entry: Node }> => {
  const map = node.cte_map;
  if (!isNode(map) || !Array.isArray(map.map)) return [];
  return map.map.flatMap((entry) =>
    isNode(entry) ? [{ name: text(entry.key).toLowerCase(), entry }] : [],
  );
};

/** Why one node may not run, or undefined. `scope` holds the CTE names visible at it. */
const refusalOf = (
  node: Node,
  scope: ReadonlySet<string>,
  allow: AllowList,
): string | undefined => {
  if (typeof node.class === 'string') {
    if (!EXPRESSION_CLASSES.has(node.class)) return `${node.class} expressions are not allowed`;
    if (node.class !== 'FUNCTION' && node.class !== 'WINDOW') return undefined;
    const name = text(node.function_name).toLowerCase();
    // The parser itself qualifies some (`[1, 2]` is system.main.list_value); nothing else may.
    const schema = text(node.schema);
    const catalog = text(node.catalog);
    if (!['', 'main'].includes(schema) || !['', 'system'].includes(catalog)) {
      return `function ${[catalog, schema, name].filter(Boolean).join('.')} is not allowed`;
    }
    return allow.functions.has(name) ? undefined : `function ${name} is not allowed`;
  }
  if (typeof node.type !== 'string') return undefined;
  if (node.type === 'TABLE_FUNCTION') {
    const fn = isNode(node.function) ? text(node.function.function_name) : '';
    return `table function ${fn || '(unknown)'} is not allowed; query the ${QUERYABLE_TABLE} table`;
  }
  if (!NODE_TYPES.has(node.type) && !TYPE_INFO.test(node.type)) {
    return `${node.type} is not allowed`;
  }
  if (node.type === 'BASE_TABLE') {
    const name = text(node.table_name).toLowerCase();
    const qualified = text(node.schema_name) || text(node.catalog_name);
    if (!qualified && (name === QUERYABLE_TABLE || scope.has(name))) return undefined;
    return `only the ${QUERYABLE_TABLE} table can be queried, not ${qualified ? `${qualified}.` : ''}${name}`;
  }
  for (const { name } of ctesOf(node)) {
    if (!CTE_NAME.test(name)) return `CTE name ${JSON.stringify(name)} must be a plain identifier`;
    if (name !== QUERYABLE_TABLE && allow.catalogNames.has(name)) {
      return `CTE name ${name} is taken by a system table`;
    }
  }
  return undefined;
};

/**
 * Walks the statement DuckDB parsed (json_serialize_sql's output) and returns why it may not
 * run, or undefined. Every object is visited, whatever key holds it, so nothing hides in a
 * field this walker does not know; CTE names count as tables only inside the node defining them.
 */
export const refusalOfTree = (tree: unknown, allow: AllowList): string | undefined => {
  if (!isNode(tree as Json)) return 'the SQL could not be parsed';
  const root = tree as Node;
  if (root.error === true) {
    const message = text(root.error_message);
    return /Only SELECT/i.test(message)
      ? 'only a read-only SELECT is allowed'
      : `the SQL does not parse: ${message}`;
  }
  const statements = Array.isArray(root.statements) ? root.statements : [];
  if (statements.length !== 1) {
    return `only one statement is allowed; got ${statements.length}`;
  }
  // Iterative, so a deeply nested tree cannot overflow the stack.
  const stack: Array<[Json, ReadonlySet<string>]> = [[statements[0] ?? null, new Set()]];
  while (stack.length > 0) {
    const [value, outer] = stack.pop() as [Json, ReadonlySet<string>];
    if (Array.isArray(value)) {
      for (const item of value) stack.push([item, outer]);
      continue;
    }
    if (!isNode(value)) continue;
    const ctes = ctesOf(value);
    const scope = ctes.length > 0 ? new Set([...outer, ...ctes.map((c) => c.name)]) : outer;
    const refusal = refusalOf(value, scope, allow);
    if (refusal) return refusal;
    for (const [key, child] of Object.entries(value)) {
      if (key !== 'cte_map' || ctes.length === 0) stack.push([child, scope]);
    }
    // A CTE's body sees the CTEs before it and itself (WITH RECURSIVE), not the later ones.
    ctes.forEach(({ entry }, i) => {
      stack.push([entry, new Set([...outer, ...ctes.slice(0, i + 1).map((c) => c.name)])]);
    });
  }
  return undefined;
};

/** Parses `sql` with DuckDB (as a bound parameter, never as SQL text) and checks it. */
export const refusalOfSql = async (
  connection: DuckDBConnection,
  sql: string,
  allow: AllowList,
): Promise<string | undefined> => {
  const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
  const serialized = reader.getRowsJson()[0]?.[0];
  if (typeof serialized !== 'string') return 'the SQL could not be parsed';
  const refusal = refusalOfTree(JSON.parse(serialized), allow);
  if (refusal !== 'only a read-only SELECT is allowed') return refusal;
  // Say "one statement" when that is the first problem (the parser alone counts them).
  const statements = await connection.extractStatements(sql);
  return statements.count > 1 ? `only one statement is allowed; got ${statements.count}` : refusal;
};
