-- The roles of one schema, run by the PostgreSQL admin (deploy/pg-roles, as
-- scripts/stack and the compose job `pg-roles` do). Idempotent: running it
-- again sets the passwords again, which is how a password is rotated.
--   :schema        the schema (gateway, catalog, circulation, ...)
--   IBC_PG_OWNER_PASSWORD, IBC_PG_APP_PASSWORD  (environment: never on a command line)
-- <schema>_owner owns the schema and every object in it: migrations run as it.
-- <schema>_app is what the running process connects as: DML, no DDL.
\set ON_ERROR_STOP on
\getenv owner_pw IBC_PG_OWNER_PASSWORD
\getenv app_pw IBC_PG_APP_PASSWORD
\set owner :schema '_owner'
\set app :schema '_app'
SELECT format('CREATE ROLE %I LOGIN', :'owner')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'app')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app') \gexec
-- the statements that carry a password are not logged even when
-- log_statement = 'all' is set for the admin
SET log_statement = 'none';
ALTER ROLE :"owner" NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'owner_pw';
ALTER ROLE :"app" NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'app_pw';
RESET log_statement;
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I, %I', current_database(), :'owner', :'app') \gexec
CREATE SCHEMA IF NOT EXISTS :"schema" AUTHORIZATION :"owner";
ALTER SCHEMA :"schema" OWNER TO :"owner";
REVOKE ALL ON SCHEMA :"schema" FROM PUBLIC;
GRANT USAGE ON SCHEMA :"schema" TO :"app";
-- what the owner creates from now on, and what it created before
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA :"schema"
  GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA :"schema"
  GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA :"schema"
  GRANT EXECUTE ON FUNCTIONS TO :"app";
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA :"schema" TO :"app";
-- an audit log (a table named *_audit_log) is append-only for the process
SELECT format('REVOKE UPDATE, DELETE, TRUNCATE ON %I.%I FROM %I', schemaname, tablename, :'app')
  FROM pg_tables WHERE schemaname = :'schema' AND tablename LIKE '%\_audit\_log' \gexec
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA :"schema" TO :"app";
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA :"schema" TO :"app";
