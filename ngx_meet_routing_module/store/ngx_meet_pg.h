
/*
 * Copyright (C) ngx_meet authors
 *
 * PostgreSQL on nginx events (libpq, asynchronous only): a pool of
 * connections per worker, independent of requests.
 *
 *   configuration:  ngx_meet_pg_create() with the conninfo, the pool size,
 *                   the query timeout, the named statements (prepared
 *                   lazily on each connection) and the schema migrations;
 *   each worker:    ngx_meet_pg_init_process() (connects, migrates under
 *                   pg_advisory_lock), ngx_meet_pg_exit_process();
 *   queries:        ngx_meet_pg_query() with a statement index and text
 *                   parameters; the handler gets the PGresult (freed after
 *                   it returns) or an error with its reason.
 *
 * While the server is known to be down every query fails at once
 * (NGX_DECLINED and the reason), and the pool reconnects with backoff.
 * Registers the "postgres" component of /healthz.  Part of the routing
 * .so (store/): its one user is the rooms store, ngx_meet_rooms_pg.c.
 */


#ifndef _NGX_MEET_PG_H_INCLUDED_
#define _NGX_MEET_PG_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <libpq-fe.h>


typedef struct ngx_meet_pg_s        ngx_meet_pg_t;
typedef struct ngx_meet_pg_query_s  ngx_meet_pg_query_t;


/* a named statement, prepared lazily on each connection */
typedef struct {
    const char                *name;
    const char                *sql;
    int                        nparams;
} ngx_meet_pg_stmt_t;


/* a schema migration: statements run in one transaction, in order */
typedef struct {
    ngx_uint_t                 version;
    const char               **sql;          /* NULL-terminated */
} ngx_meet_pg_migration_t;


/*
 * Result of a query.  rc: NGX_OK (res is a PGRES_TUPLES_OK or
 * PGRES_COMMAND_OK result, freed after the handler returns), NGX_ERROR
 * (reason says why: server down, timeout, SQL error; sqlstate is the SQL
 * error code or NULL).  Never called from inside ngx_meet_pg_query().
 */
typedef void (*ngx_meet_pg_handler_pt)(void *data, ngx_int_t rc,
    PGresult *res, const char *reason, const char *sqlstate);


ngx_meet_pg_t *ngx_meet_pg_create(ngx_conf_t *cf, ngx_str_t *conninfo,
    ngx_uint_t size, ngx_msec_t timeout, ngx_meet_pg_stmt_t *stmts,
    ngx_uint_t nstmts, ngx_meet_pg_migration_t *migrations,
    ngx_uint_t nmigrations);

ngx_int_t ngx_meet_pg_init_process(ngx_meet_pg_t *pg, ngx_cycle_t *cycle);
void ngx_meet_pg_exit_process(ngx_meet_pg_t *pg);

/*
 * Queues statement "stmt" with text parameters (NULL: SQL NULL), copied
 * into "pool", which must live until the handler has been called.
 * NGX_OK: the handler will be called; NGX_DECLINED: the server is known
 * to be down (*reason says why; the handler will not be called);
 * NGX_ERROR: out of memory.
 */
ngx_int_t ngx_meet_pg_query(ngx_meet_pg_t *pg, ngx_pool_t *pool,
    ngx_uint_t stmt, ngx_str_t *params, ngx_uint_t nparams,
    ngx_meet_pg_handler_pt handler, void *data, const char **reason);


#endif /* _NGX_MEET_PG_H_INCLUDED_ */
