// Test fixtures for other packages' tests (never imported by production code).
export { type PostgresCluster, startPostgresCluster } from './postgres/postgres-cluster';
