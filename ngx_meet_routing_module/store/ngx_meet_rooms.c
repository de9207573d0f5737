
/*
 * Copyright (C) ngx_meet authors
 *
 * The rooms store, see ngx_meet_rooms.h: shared memory and PostgreSQL.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <openssl/rand.h>
#include "ngx_meet_core.h"
#include "ngx_meet_pg.h"
#include "ngx_meet_rooms.h"


#define NGX_MEET_ROOMS_MAX_FIELDS  8


struct ngx_meet_rooms_s {
    ngx_meet_pg_t             *pg;        /* PostgreSQL, or */
    ngx_shm_zone_t            *zone;      /* shared memory */
    ngx_slab_pool_t           *shpool;
    struct ngx_meet_rooms_sh_s *sh;
};


/* fields of each record type, for both backends */
static ngx_uint_t  ngx_meet_rooms_nfields[] = {
    NGX_MEET_ROOM_FIELDS, NGX_MEET_ACCESS_FIELDS, NGX_MEET_USER_FIELDS
};

#define NGX_MEET_ROOMS_T_ROOM    0
#define NGX_MEET_ROOMS_T_ACCESS  1
#define NGX_MEET_ROOMS_T_USER    2
#define NGX_MEET_ROOMS_T_NONE    3

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


static ngx_str_t *ngx_meet_rooms_push(ngx_pool_t *pool,
    ngx_meet_rooms_result_t *res, ngx_uint_t type);


ngx_int_t
ngx_meet_rooms_uuid(ngx_pool_t *pool, ngx_str_t *out)
{
    u_char  b[16];

    if (RAND_bytes(b, 16) != 1) {
        return NGX_ERROR;
    }

    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;

    out->data = ngx_pnalloc(pool, 37);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    ngx_hex_dump(out->data, b, 4);
    out->data[8] = '-';
    ngx_hex_dump(out->data + 9, b + 4, 2);
    out->data[13] = '-';
    ngx_hex_dump(out->data + 14, b + 6, 2);
    out->data[18] = '-';
    ngx_hex_dump(out->data + 19, b + 8, 2);
    out->data[23] = '-';
    ngx_hex_dump(out->data + 24, b + 10, 6);
    out->data[36] = '\0';
    out->len = 36;

    return NGX_OK;
}


/* a new record of "type" appended to res->items, its fields to fill */

static ngx_str_t *
ngx_meet_rooms_push(ngx_pool_t *pool, ngx_meet_rooms_result_t *res,
    ngx_uint_t type)
{
    ngx_str_t  *f;

    if (res->items == NULL) {
        res->items = ngx_array_create(pool, 4, ngx_meet_rooms_nfields[type]
                                               * sizeof(ngx_str_t));
        if (res->items == NULL) {
            return NULL;
        }
    }

    f = ngx_array_push(res->items);
    if (f == NULL) {
        return NULL;
    }

    ngx_memzero(f, ngx_meet_rooms_nfields[type] * sizeof(ngx_str_t));

    return f;
}


/* ---- shared memory ------------------------------------------------------ */


typedef struct {
    ngx_queue_t                queue;
    ngx_uint_t                 n;
    ngx_str_t                  f[NGX_MEET_ROOMS_MAX_FIELDS];
} ngx_meet_rooms_rec_t;


typedef struct ngx_meet_rooms_sh_s {
    ngx_queue_t                rooms;       /* newest first */
    ngx_queue_t                accesses;
    ngx_queue_t                users;
} ngx_meet_rooms_sh_t;


static ngx_int_t ngx_meet_rooms_shm_init(ngx_shm_zone_t *zone, void *data);
static ngx_int_t ngx_meet_rooms_shm_run(ngx_meet_rooms_t *st,
    ngx_pool_t *pool, ngx_meet_rooms_req_t *req,
    ngx_meet_rooms_result_t *res);
static ngx_meet_rooms_rec_t *ngx_meet_rooms_shm_find(ngx_queue_t *list,
    ngx_uint_t field, ngx_str_t *value, ngx_uint_t field2,
    ngx_str_t *value2);
static ngx_int_t ngx_meet_rooms_shm_put(ngx_meet_rooms_t *st,
    ngx_queue_t *list, ngx_meet_rooms_rec_t *old, ngx_str_t *f,
    ngx_uint_t n);
static void ngx_meet_rooms_shm_free(ngx_meet_rooms_t *st,
    ngx_meet_rooms_rec_t *rec);
static ngx_int_t ngx_meet_rooms_shm_copy(ngx_pool_t *pool, ngx_str_t *dst,
    ngx_str_t *src, ngx_uint_t n);


ngx_meet_rooms_t *
ngx_meet_rooms_create_shm(ngx_conf_t *cf, size_t size, void *tag)
{
    ngx_str_t          name;
    ngx_meet_rooms_t  *st;

    st = ngx_pcalloc(cf->pool, sizeof(ngx_meet_rooms_t));
    if (st == NULL) {
        return NULL;
    }

    ngx_str_set(&name, "meet_rooms");

    st->zone = ngx_shared_memory_add(cf, &name, size, tag);
    if (st->zone == NULL) {
        return NULL;
    }

    if (st->zone->data) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet rooms: zone \"meet_rooms\" is used twice");
        return NULL;
    }

    st->zone->init = ngx_meet_rooms_shm_init;
    st->zone->data = st;

    return st;
}


/* the zone and its rooms survive reloads: the old cycle's data is reused */

static ngx_int_t
ngx_meet_rooms_shm_init(ngx_shm_zone_t *zone, void *data)
{
    ngx_meet_rooms_t *ost = data;

    ngx_meet_rooms_t  *st;

    st = zone->data;

    if (ost) {
        st->shpool = ost->shpool;
        st->sh = ost->sh;
        return NGX_OK;
    }

    st->shpool = (ngx_slab_pool_t *) zone->shm.addr;

    if (zone->shm.exists) {
        st->sh = st->shpool->data;
        return NGX_OK;
    }

    st->sh = ngx_slab_alloc(st->shpool, sizeof(ngx_meet_rooms_sh_t));
    if (st->sh == NULL) {
        return NGX_ERROR;
    }

    ngx_queue_init(&st->sh->rooms);
    ngx_queue_init(&st->sh->accesses);
    ngx_queue_init(&st->sh->users);

    st->shpool->data = st->sh;
    st->shpool->log_nomem = 0;

    return NGX_OK;
}


static ngx_meet_rooms_rec_t *
ngx_meet_rooms_shm_find(ngx_queue_t *list, ngx_uint_t field,
    ngx_str_t *value, ngx_uint_t field2, ngx_str_t *value2)
{
    ngx_queue_t           *q;
    ngx_meet_rooms_rec_t  *rec;

    for (q = ngx_queue_head(list);
         q != ngx_queue_sentinel(list);
         q = ngx_queue_next(q))
    {
        rec = ngx_queue_data(q, ngx_meet_rooms_rec_t, queue);

        if (rec->f[field].len == value->len
            && ngx_strncmp(rec->f[field].data, value->data, value->len) == 0
            && (value2 == NULL
                || (rec->f[field2].len == value2->len
                    && ngx_strncmp(rec->f[field2].data, value2->data,
                                   value2->len) == 0)))
        {
            return rec;
        }
    }

    return NULL;
}


/* a new record with copies of n fields, in place of "old" or first */

static ngx_int_t
ngx_meet_rooms_shm_put(ngx_meet_rooms_t *st, ngx_queue_t *list,
    ngx_meet_rooms_rec_t *old, ngx_str_t *f, ngx_uint_t n)
{
    u_char                *p;
    size_t                 size;
    ngx_uint_t             i;
    ngx_meet_rooms_rec_t  *rec;

    size = sizeof(ngx_meet_rooms_rec_t);
    for (i = 0; i < n; i++) {
        size += f[i].len;
    }

    rec = ngx_slab_alloc_locked(st->shpool, size);
    if (rec == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(rec, sizeof(ngx_meet_rooms_rec_t));
    rec->n = n;
    p = (u_char *) (rec + 1);

    for (i = 0; i < n; i++) {
        rec->f[i].data = p;
        rec->f[i].len = f[i].len;
        p = ngx_cpymem(p, f[i].data, f[i].len);
    }

    if (old) {
        ngx_queue_insert_after(&old->queue, &rec->queue);
        ngx_meet_rooms_shm_free(st, old);

    } else {
        ngx_queue_insert_head(list, &rec->queue);
    }

    return NGX_OK;
}


static void
ngx_meet_rooms_shm_free(ngx_meet_rooms_t *st, ngx_meet_rooms_rec_t *rec)
{
    ngx_queue_remove(&rec->queue);
    ngx_slab_free_locked(st->shpool, rec);
}


static ngx_int_t
ngx_meet_rooms_shm_copy(ngx_pool_t *pool, ngx_str_t *dst, ngx_str_t *src,
    ngx_uint_t n)
{
    ngx_uint_t  i;

    for (i = 0; i < n; i++) {
        dst[i].len = src[i].len;
        dst[i].data = ngx_pstrdup(pool, &src[i]);

        if (dst[i].data == NULL) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* runs req under the zone's lock; NGX_ERROR: out of memory */

static ngx_int_t
ngx_meet_rooms_shm_run(ngx_meet_rooms_t *st, ngx_pool_t *pool,
    ngx_meet_rooms_req_t *req, ngx_meet_rooms_result_t *res)
{
    ngx_str_t             *f, *rf, *af, *uf;
    ngx_uint_t             n;
    ngx_queue_t           *q;
    ngx_meet_rooms_sh_t   *sh;
    ngx_meet_rooms_rec_t  *rec, *acc, *user;

    sh = st->sh;
    rf = (ngx_str_t *) &req->room;
    af = (ngx_str_t *) &req->access;
    uf = (ngx_str_t *) &req->user;

    switch (req->op) {

    case NGX_MEET_ROOM_GET:
        rec = ngx_meet_rooms_shm_find(&sh->rooms, 0, &req->key, 0, NULL);
        if (rec == NULL) {
            rec = ngx_meet_rooms_shm_find(&sh->rooms, 2, &req->key, 0, NULL);
        }

        if (rec == NULL) {
            res->rc = NGX_DECLINED;
            return NGX_OK;
        }

        f = ngx_meet_rooms_push(pool, res, NGX_MEET_ROOMS_T_ROOM);
        if (f == NULL
            || ngx_meet_rooms_shm_copy(pool, f, rec->f, NGX_MEET_ROOM_STORED)
               != NGX_OK)
        {
            return NGX_ERROR;
        }

        acc = req->user_id.len
              ? ngx_meet_rooms_shm_find(&sh->accesses, 2, &rec->f[0],
                                        1, &req->user_id)
              : NULL;

        return acc ? ngx_meet_rooms_shm_copy(pool, &f[5], &acc->f[3], 1)
                   : NGX_OK;

    case NGX_MEET_ROOM_LIST:
        n = 0;

        for (q = ngx_queue_head(&sh->rooms);
             q != ngx_queue_sentinel(&sh->rooms);
             q = ngx_queue_next(q))
        {
            rec = ngx_queue_data(q, ngx_meet_rooms_rec_t, queue);
            acc = ngx_meet_rooms_shm_find(&sh->accesses, 2, &rec->f[0],
                                          1, &req->user_id);
            if (acc == NULL) {
                continue;
            }

            if (n++ < req->offset || n > req->offset + req->limit) {
                continue;
            }

            f = ngx_meet_rooms_push(pool, res, NGX_MEET_ROOMS_T_ROOM);
            if (f == NULL
                || ngx_meet_rooms_shm_copy(pool, f, rec->f,
                                           NGX_MEET_ROOM_STORED)
                   != NGX_OK
                || ngx_meet_rooms_shm_copy(pool, &f[5], &acc->f[3], 1)
                   != NGX_OK)
            {
                return NGX_ERROR;
            }
        }

        res->count = n;
        return NGX_OK;

    case NGX_MEET_ROOM_CREATE:
    case NGX_MEET_ROOM_UPDATE:
        rec = ngx_meet_rooms_shm_find(&sh->rooms, 2, &req->room.slug,
                                      0, NULL);
        if (rec && (req->op == NGX_MEET_ROOM_CREATE
                    || rec->f[0].len != req->room.id.len
                    || ngx_strncmp(rec->f[0].data, req->room.id.data,
                                   req->room.id.len) != 0))
        {
            res->rc = NGX_BUSY;
            return NGX_OK;
        }

        if (req->op == NGX_MEET_ROOM_UPDATE) {
            rec = ngx_meet_rooms_shm_find(&sh->rooms, 0, &req->room.id,
                                          0, NULL);
            if (rec == NULL) {
                res->rc = NGX_DECLINED;
                return NGX_OK;
            }

            return ngx_meet_rooms_shm_put(st, &sh->rooms, rec, rf,
                                          NGX_MEET_ROOM_STORED);
        }

        if (ngx_meet_rooms_shm_put(st, &sh->rooms, NULL, rf,
                                   NGX_MEET_ROOM_STORED)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        req->access.room_id = req->room.id;
        req->access.user_id = req->user_id;
        ngx_str_set(&req->access.role, "owner");

        return ngx_meet_rooms_shm_put(st, &sh->accesses, NULL, af,
                                      NGX_MEET_ACCESS_STORED);

    case NGX_MEET_ROOM_DELETE:
        rec = ngx_meet_rooms_shm_find(&sh->rooms, 0, &req->key, 0, NULL);
        if (rec == NULL) {
            res->rc = NGX_DECLINED;
            return NGX_OK;
        }

        while ((acc = ngx_meet_rooms_shm_find(&sh->accesses, 2, &rec->f[0],
                                              0, NULL))
               != NULL)
        {
            ngx_meet_rooms_shm_free(st, acc);
        }

        ngx_meet_rooms_shm_free(st, rec);
        return NGX_OK;

    case NGX_MEET_ACCESS_ADD:
        if (ngx_meet_rooms_shm_find(&sh->users, 0, &req->access.user_id,
                                    0, NULL) == NULL
            || ngx_meet_rooms_shm_find(&sh->rooms, 0, &req->access.room_id,
                                       0, NULL) == NULL)
        {
            res->rc = NGX_DECLINED;
            return NGX_OK;
        }

        if (ngx_meet_rooms_shm_find(&sh->accesses, 1, &req->access.user_id,
                                    2, &req->access.room_id))
        {
            res->rc = NGX_BUSY;
            return NGX_OK;
        }

        return ngx_meet_rooms_shm_put(st, &sh->accesses, NULL, af,
                                      NGX_MEET_ACCESS_STORED);

    case NGX_MEET_ACCESS_LIST:
    case NGX_MEET_ACCESS_GET:
        for (q = ngx_queue_last(&sh->accesses);
             q != ngx_queue_sentinel(&sh->accesses);
             q = ngx_queue_prev(q))
        {
            acc = ngx_queue_data(q, ngx_meet_rooms_rec_t, queue);
            n = (req->op == NGX_MEET_ACCESS_LIST) ? 2 : 0;

            if (acc->f[n].len != req->key.len
                || ngx_strncmp(acc->f[n].data, req->key.data, req->key.len))
            {
                continue;
            }

            f = ngx_meet_rooms_push(pool, res, NGX_MEET_ROOMS_T_ACCESS);
            if (f == NULL
                || ngx_meet_rooms_shm_copy(pool, f, acc->f,
                                           NGX_MEET_ACCESS_STORED)
                   != NGX_OK)
            {
                return NGX_ERROR;
            }

            user = ngx_meet_rooms_shm_find(&sh->users, 0, &acc->f[1],
                                           0, NULL);
            if (user
                && ngx_meet_rooms_shm_copy(pool, &f[4], &user->f[2], 3)
                   != NGX_OK)
            {
                return NGX_ERROR;
            }
        }

        if (req->op == NGX_MEET_ACCESS_GET && res->items == NULL) {
            res->rc = NGX_DECLINED;
        }

        return NGX_OK;

    case NGX_MEET_ACCESS_DELETE:
        acc = ngx_meet_rooms_shm_find(&sh->accesses, 0, &req->key, 0, NULL);
        if (acc == NULL) {
            res->rc = NGX_DECLINED;
            return NGX_OK;
        }

        ngx_meet_rooms_shm_free(st, acc);
        return NGX_OK;

    case NGX_MEET_USER_UPSERT:
        user = ngx_meet_rooms_shm_find(&sh->users, 0, &req->user.id, 0, NULL);
        return ngx_meet_rooms_shm_put(st, &sh->users, user, uf,
                                      NGX_MEET_USER_FIELDS);

    case NGX_MEET_USER_FIND:
        for (q = ngx_queue_head(&sh->users);
             q != ngx_queue_sentinel(&sh->users);
             q = ngx_queue_next(q))
        {
            user = ngx_queue_data(q, ngx_meet_rooms_rec_t, queue);

            if (user->f[2].len != req->key.len
                || ngx_strncasecmp(user->f[2].data, req->key.data,
                                   req->key.len) != 0)
            {
                continue;
            }

            f = ngx_meet_rooms_push(pool, res, NGX_MEET_ROOMS_T_USER);
            if (f == NULL
                || ngx_meet_rooms_shm_copy(pool, f, user->f,
                                           NGX_MEET_USER_FIELDS)
                   != NGX_OK)
            {
                return NGX_ERROR;
            }
        }

        return NGX_OK;

    default:
        return NGX_ERROR;
    }
}


/* ---- PostgreSQL --------------------------------------------------------- */


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

    { "meet_room_create",
      "WITH r AS (INSERT INTO meet_rooms "
      "(id, name, slug, access_level, configuration) "
      "VALUES ($1, $2, $3, $4, $5::jsonb) "
      "ON CONFLICT (slug) DO NOTHING RETURNING id) "
      "INSERT INTO meet_room_accesses (id, room_id, user_id, role) "
      "SELECT $6, id, $7, 'owner' FROM r RETURNING room_id", 7 },

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


ngx_meet_rooms_t *
ngx_meet_rooms_create_pg(ngx_conf_t *cf, ngx_str_t *conninfo,
    ngx_uint_t pool, ngx_msec_t timeout)
{
    ngx_meet_rooms_t  *st;

    st = ngx_pcalloc(cf->pool, sizeof(ngx_meet_rooms_t));
    if (st == NULL) {
        return NULL;
    }

    st->pg = ngx_meet_pg_create(cf, conninfo, pool, timeout,
                                ngx_meet_rooms_stmts, NGX_MEET_ROOMS_NOPS,
                                ngx_meet_rooms_migrations,
                                sizeof(ngx_meet_rooms_migrations)
                                / sizeof(ngx_meet_pg_migration_t));
    if (st->pg == NULL) {
        return NULL;
    }

    return st;
}


ngx_int_t
ngx_meet_rooms_init_process(ngx_meet_rooms_t *st, ngx_cycle_t *cycle)
{
    return st->pg ? ngx_meet_pg_init_process(st->pg, cycle) : NGX_OK;
}


void
ngx_meet_rooms_exit_process(ngx_meet_rooms_t *st)
{
    if (st->pg) {
        ngx_meet_pg_exit_process(st->pg);
    }
}


void
ngx_meet_rooms_call(ngx_meet_rooms_t *st, ngx_pool_t *pool,
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

    if (st->pg == NULL) {
        ngx_shmtx_lock(&st->shpool->mutex);
        rc = ngx_meet_rooms_shm_run(st, pool, req, &res);
        ngx_shmtx_unlock(&st->shpool->mutex);

        if (rc != NGX_OK) {
            res.rc = NGX_ERROR;
            res.reason = "the rooms zone is full (or out of memory)";
            ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                          "meet rooms: %s", res.reason);
        }

        handler(data, &res);
        return;
    }

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
        n = 7;
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

    rc = ngx_meet_pg_query(st->pg, pool, req->op, p, n,
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

    if (type == NGX_MEET_ROOMS_T_NONE) {
        /* writes: RETURNING says whether a row was there (or inserted) */
        if (nrows == 0 && op != NGX_MEET_USER_UPSERT) {
            out->rc = (op == NGX_MEET_ROOM_CREATE) ? NGX_BUSY : NGX_DECLINED;
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
