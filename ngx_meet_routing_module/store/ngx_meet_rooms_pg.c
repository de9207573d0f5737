
/*
 * Copyright (C) ngx_meet authors
 *
 * The PostgreSQL backend of the rooms store (see ngx_meet_rooms.h): its
 * schema migrations, one prepared statement per operation, and the rows
 * read back into records; the connections are ngx_meet_pg.c's.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_meet_pg.h"
#include "ngx_meet_rooms.h"


/* the record type each op answers with */
static ngx_uint_t  ngx_meet_rooms_answers[NGX_MEET_ROOMS_NOPS] = {
    NGX_MEET_ROOMS_T_ROOM,    /* ROOM_GET */
    NGX_MEET_ROOMS_T_ROOM,    /* ROOM_LIST */
    NGX_MEET_ROOMS_T_NONE,    /* ROOM_CREATE */
    NGX_MEET_ROOMS_T_NONE,    /* ROOM_UPDATE */
    NGX_MEET_ROOMS_T_NONE,    /* ROOM_DELETE */
    NGX_MEET_ROOMS_T_NONE,    /* ACCESS_ADD */
    NGX_MEET_ROOMS_T_ACCESS,  /* ACCESS_LIST */
    NGX_MEET_ROOMS_T_ACCESS,  /* ACCESS_GET */
    NGX_MEET_ROOMS_T_NONE,    /* ACCESS_DELETE */
    NGX_MEET_ROOMS_T_NONE,    /* USER_UPSERT */
    NGX_MEET_ROOMS_T_USER     /* USER_FIND */
};


static const char *ngx_meet_rooms_schema_1[] = {

    "CREATE TABLE meet_users ("
    " id text PRIMARY KEY,"
    " sub text NOT NULL,"
    " email text NOT NULL DEFAULT '',"
    " full_name text NOT NULL DEFAULT '',"
    " short_name text NOT NULL DEFAULT '',"
    " created_at timestamptz NOT NULL DEFAULT now(),"
    " updated_at timestamptz NOT NULL DEFAULT now())",

    "CREATE INDEX meet_users_email ON meet_users (lower(email))",

    "CREATE TABLE meet_rooms ("
    " id text PRIMARY KEY,"
    " name text NOT NULL,"
    " slug text NOT NULL UNIQUE,"
    " access_level text NOT NULL"
    "  CHECK (access_level IN ('public', 'trusted', 'restricted')),"
    " configuration jsonb NOT NULL DEFAULT '{}',"
    " created_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
    " updated_at timestamptz NOT NULL DEFAULT now())",

    "CREATE TABLE meet_room_accesses ("
    " id text PRIMARY KEY,"
    " room_id text NOT NULL REFERENCES meet_rooms ON DELETE CASCADE,"
    " user_id text NOT NULL,"
    " role text NOT NULL"
    "  CHECK (role IN ('owner', 'administrator', 'member')),"
    " created_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
    " UNIQUE (user_id, room_id))",

    "CREATE INDEX meet_room_accesses_room ON meet_room_accesses (room_id)",

    NULL
};


static ngx_meet_pg_migration_t  ngx_meet_rooms_migrations[] = {
    { 1, ngx_meet_rooms_schema_1 }
};


#define NGX_MEET_ROOMS_ROOM_COLS                                              \
    "r.id, r.name, r.slug, r.access_level, r.configuration::text"

#define NGX_MEET_ROOMS_ACCESS_SELECT                                          \
    "SELECT a.id, a.user_id, a.room_id, a.role, coalesce(u.email, ''), "      \
    "coalesce(u.full_name, ''), coalesce(u.short_name, '') "                  \
    "FROM meet_room_accesses a LEFT JOIN meet_users u ON u.id = a.user_id "


/* indexed by ngx_meet_rooms_op_e */
static ngx_meet_pg_stmt_t  ngx_meet_rooms_stmts[NGX_MEET_ROOMS_NOPS] = {

    { "meet_room_get",
      "SELECT " NGX_MEET_ROOMS_ROOM_COLS ", coalesce(a.role, '') "
      "FROM meet_rooms r LEFT JOIN meet_room_accesses a "
      "ON a.room_id = r.id AND a.user_id = $2 "
      "WHERE r.id = $1 OR r.slug = $1 LIMIT 1", 2 },

    { "meet_room_list",
      "SELECT " NGX_MEET_ROOMS_ROOM_COLS ", a.role, count(*) OVER () "
      "FROM meet_rooms r JOIN meet_room_accesses a ON a.room_id = r.id "
      "WHERE a.user_id = $1 ORDER BY r.created_at DESC, r.id "
      "OFFSET $2 LIMIT $3", 3 },

    /* (created, under the cap): the cap is $8 rooms owned, 0 none */
    { "meet_room_create",
      "WITH q AS (SELECT $8::int = 0 OR count(*) < $8::int AS ok "
      "FROM meet_room_accesses WHERE user_id = $7 AND role = 'owner'), "
      "r AS (INSERT INTO meet_rooms "
      "(id, name, slug, access_level, configuration) "
      "SELECT $1, $2, $3, $4, $5::jsonb WHERE (SELECT ok FROM q) "
      "ON CONFLICT (slug) DO NOTHING RETURNING id), "
      "a AS (INSERT INTO meet_room_accesses (id, room_id, user_id, role) "
      "SELECT $6, id, $7, 'owner' FROM r RETURNING room_id) "
      "SELECT (SELECT count(*) FROM a), (SELECT ok FROM q)", 8 },

    { "meet_room_update",
      "UPDATE meet_rooms SET name = $2, slug = $3, access_level = $4, "
      "configuration = $5::jsonb, updated_at = now() "
      "WHERE id = $1 RETURNING id", 5 },

    { "meet_room_delete",
      "DELETE FROM meet_rooms WHERE id = $1 RETURNING id", 1 },

    { "meet_access_add",
      "WITH i AS (INSERT INTO meet_room_accesses "
      "(id, user_id, room_id, role) "
      "SELECT $1, $2, $3, $4 WHERE EXISTS "
      "(SELECT 1 FROM meet_users WHERE id = $2) "
      "AND EXISTS (SELECT 1 FROM meet_rooms WHERE id = $3) "
      "ON CONFLICT (user_id, room_id) DO NOTHING RETURNING id) "
      "SELECT (SELECT count(*) FROM i), "
      "EXISTS (SELECT 1 FROM meet_users WHERE id = $2) "
      "AND EXISTS (SELECT 1 FROM meet_rooms WHERE id = $3)", 4 },

    { "meet_access_list",
      NGX_MEET_ROOMS_ACCESS_SELECT
      "WHERE a.room_id = $1 ORDER BY a.created_at, a.id", 1 },

    { "meet_access_get",
      NGX_MEET_ROOMS_ACCESS_SELECT "WHERE a.id = $1", 1 },

    { "meet_access_delete",
      "DELETE FROM meet_room_accesses WHERE id = $1 RETURNING id", 1 },

    { "meet_user_upsert",
      "INSERT INTO meet_users (id, sub, email, full_name, short_name) "
      "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET "
      "sub = EXCLUDED.sub, email = EXCLUDED.email, "
      "full_name = EXCLUDED.full_name, short_name = EXCLUDED.short_name, "
      "updated_at = now() RETURNING id", 5 },

    { "meet_user_find",
      "SELECT id, sub, email, full_name, short_name FROM meet_users "
      "WHERE lower(email) = lower($1) ORDER BY email LIMIT 20", 1 }
};


typedef struct {
    ngx_pool_t                 *pool;
    ngx_meet_rooms_req_t       *req;
    ngx_meet_rooms_handler_pt   handler;
    void                       *data;
} ngx_meet_rooms_pg_ctx_t;


static void ngx_meet_rooms_pg_done(void *data, ngx_int_t rc, PGresult *res,
    const char *reason, const char *sqlstate);
static ngx_int_t ngx_meet_rooms_pg_rows(ngx_meet_rooms_pg_ctx_t *ctx,
    PGresult *res, ngx_meet_rooms_result_t *out);
static ngx_int_t ngx_meet_rooms_pg_init_process(ngx_meet_rooms_t *st,
    ngx_cycle_t *cycle);
static void ngx_meet_rooms_pg_exit_process(ngx_meet_rooms_t *st);
static void ngx_meet_rooms_pg_call(ngx_meet_rooms_t *st, ngx_pool_t *pool,
    ngx_meet_rooms_req_t *req, ngx_meet_rooms_handler_pt handler,
    void *data);


static ngx_meet_rooms_store_t  ngx_meet_rooms_pg_store = {
    ngx_meet_rooms_pg_init_process,        /* init process */
    ngx_meet_rooms_pg_exit_process,        /* exit process */
    ngx_meet_rooms_pg_call                 /* call */
};


ngx_meet_rooms_t *
ngx_meet_rooms_create_pg(ngx_conf_t *cf, ngx_str_t *conninfo,
    ngx_uint_t pool, ngx_msec_t timeout)
{
    ngx_meet_rooms_t  *st;

    st = ngx_pcalloc(cf->pool, sizeof(ngx_meet_rooms_t));
    if (st == NULL) {
        return NULL;
    }

    st->store = &ngx_meet_rooms_pg_store;
    st->ctx = ngx_meet_pg_create(cf, conninfo, pool, timeout,
                                 ngx_meet_rooms_stmts, NGX_MEET_ROOMS_NOPS,
                                 ngx_meet_rooms_migrations,
                                 sizeof(ngx_meet_rooms_migrations)
                                 / sizeof(ngx_meet_pg_migration_t));
    if (st->ctx == NULL) {
        return NULL;
    }

    return st;
}


static ngx_int_t
ngx_meet_rooms_pg_init_process(ngx_meet_rooms_t *st, ngx_cycle_t *cycle)
{
    return ngx_meet_pg_init_process(st->ctx, cycle);
}


static void
ngx_meet_rooms_pg_exit_process(ngx_meet_rooms_t *st)
{
    ngx_meet_pg_exit_process(st->ctx);
}


static void
ngx_meet_rooms_pg_call(ngx_meet_rooms_t *st, ngx_pool_t *pool,
    ngx_meet_rooms_req_t *req, ngx_meet_rooms_handler_pt handler,
    void *data)
{
    u_char                    num[2][NGX_INT_T_LEN];
    ngx_str_t                 p[8], *rf, *af;
    ngx_int_t                 rc;
    ngx_uint_t                n;
    const char               *reason;
    ngx_meet_rooms_result_t   res;
    ngx_meet_rooms_pg_ctx_t  *ctx;

    ngx_memzero(&res, sizeof(ngx_meet_rooms_result_t));

    /* the statement's parameters */

    rf = (ngx_str_t *) &req->room;
    af = (ngx_str_t *) &req->access;

    switch (req->op) {

    case NGX_MEET_ROOM_GET:
        p[0] = req->key;
        p[1] = req->user_id;
        n = 2;
        break;

    case NGX_MEET_ROOM_LIST:
        p[0] = req->user_id;
        p[1].data = num[0];
        p[1].len = ngx_sprintf(num[0], "%ui", req->offset) - num[0];
        p[2].data = num[1];
        p[2].len = ngx_sprintf(num[1], "%ui", req->limit) - num[1];
        n = 3;
        break;

    case NGX_MEET_ROOM_CREATE:
        ngx_memcpy(p, rf, NGX_MEET_ROOM_STORED * sizeof(ngx_str_t));
        p[5] = req->access.id;
        p[6] = req->user_id;
        p[7].data = num[0];
        p[7].len = ngx_sprintf(num[0], "%ui", req->limit) - num[0];
        n = 8;
        break;

    case NGX_MEET_ROOM_UPDATE:
        ngx_memcpy(p, rf, NGX_MEET_ROOM_STORED * sizeof(ngx_str_t));
        n = NGX_MEET_ROOM_STORED;
        break;

    case NGX_MEET_ACCESS_ADD:
        ngx_memcpy(p, af, NGX_MEET_ACCESS_STORED * sizeof(ngx_str_t));
        n = NGX_MEET_ACCESS_STORED;
        break;

    case NGX_MEET_USER_UPSERT:
        ngx_memcpy(p, &req->user, NGX_MEET_USER_FIELDS * sizeof(ngx_str_t));
        n = NGX_MEET_USER_FIELDS;
        break;

    default:
        p[0] = req->key;
        n = 1;
        break;
    }

    /* NULL data is SQL NULL: empty strings stay strings */
    for (rc = 0; rc < (ngx_int_t) n; rc++) {
        if (p[rc].data == NULL) {
            p[rc].data = (u_char *) "";
        }
    }

    ctx = ngx_palloc(pool, sizeof(ngx_meet_rooms_pg_ctx_t));
    if (ctx == NULL) {
        res.rc = NGX_ERROR;
        res.reason = "out of memory";
        handler(data, &res);
        return;
    }

    ctx->pool = pool;
    ctx->req = req;
    ctx->handler = handler;
    ctx->data = data;

    reason = "out of memory";

    rc = ngx_meet_pg_query(st->ctx, pool, req->op, p, n,
                           ngx_meet_rooms_pg_done, ctx, &reason);

    if (rc != NGX_OK) {
        /* known down: fail fast */
        res.rc = NGX_ERROR;
        res.reason = reason;
        handler(data, &res);
    }
}


static void
ngx_meet_rooms_pg_done(void *data, ngx_int_t rc, PGresult *res,
    const char *reason, const char *sqlstate)
{
    ngx_meet_rooms_pg_ctx_t *ctx = data;

    ngx_meet_rooms_result_t  out;

    ngx_memzero(&out, sizeof(ngx_meet_rooms_result_t));

    if (rc != NGX_OK) {
        if (sqlstate && ngx_strcmp(sqlstate, "23505") == 0) {
            out.rc = NGX_BUSY;             /* unique_violation */

        } else if (sqlstate && ngx_strcmp(sqlstate, "23503") == 0) {
            out.rc = NGX_DECLINED;         /* foreign_key_violation */

        } else {
            out.rc = NGX_ERROR;
            out.reason = reason;
        }

        ctx->handler(ctx->data, &out);
        return;
    }

    if (ngx_meet_rooms_pg_rows(ctx, res, &out) != NGX_OK) {
        out.rc = NGX_ERROR;
        out.reason = "out of memory";
    }

    ctx->handler(ctx->data, &out);
}


static ngx_int_t
ngx_meet_rooms_pg_rows(ngx_meet_rooms_pg_ctx_t *ctx, PGresult *res,
    ngx_meet_rooms_result_t *out)
{
    int                   row, col, nrows;
    ngx_str_t            *f;
    ngx_uint_t            type;
    ngx_meet_rooms_op_e   op;

    op = ctx->req->op;
    nrows = PQntuples(res);
    type = ngx_meet_rooms_answers[op];

    if (op == NGX_MEET_ACCESS_ADD) {
        /* (inserted, user and room exist) */
        if (nrows == 1 && PQgetvalue(res, 0, 0)[0] == '1') {
            return NGX_OK;
        }

        out->rc = (nrows == 1 && PQgetvalue(res, 0, 1)[0] == 't')
                  ? NGX_BUSY : NGX_DECLINED;
        return NGX_OK;
    }

    if (op == NGX_MEET_ROOM_CREATE) {
        /* (created, under the cap) */
        if (nrows == 1 && PQgetvalue(res, 0, 0)[0] == '1') {
            return NGX_OK;
        }

        out->rc = (nrows == 1 && PQgetvalue(res, 0, 1)[0] == 'f')
                  ? NGX_ABORT : NGX_BUSY;
        return NGX_OK;
    }

    if (type == NGX_MEET_ROOMS_T_NONE) {
        /* writes: RETURNING says whether a row was there (or inserted) */
        if (nrows == 0 && op != NGX_MEET_USER_UPSERT) {
            out->rc = NGX_DECLINED;
        }

        return NGX_OK;
    }

    if (nrows == 0 && (op == NGX_MEET_ROOM_GET || op == NGX_MEET_ACCESS_GET)) {
        out->rc = NGX_DECLINED;
        return NGX_OK;
    }

    for (row = 0; row < nrows; row++) {
        f = ngx_meet_rooms_push(ctx->pool, out, type);
        if (f == NULL) {
            return NGX_ERROR;
        }

        for (col = 0; col < (int) ngx_meet_rooms_nfields[type]; col++) {
            f[col].len = PQgetlength(res, row, col);
            f[col].data = ngx_pnalloc(ctx->pool, f[col].len + 1);
            if (f[col].data == NULL) {
                return NGX_ERROR;
            }

            ngx_memcpy(f[col].data, PQgetvalue(res, row, col), f[col].len);
            f[col].data[f[col].len] = '\0';
        }

        if (op == NGX_MEET_ROOM_LIST) {
            out->count = ngx_atoi((u_char *) PQgetvalue(res, row,
                                                        NGX_MEET_ROOM_FIELDS),
                                  PQgetlength(res, row,
                                              NGX_MEET_ROOM_FIELDS));
        }
    }

    return NGX_OK;
}
