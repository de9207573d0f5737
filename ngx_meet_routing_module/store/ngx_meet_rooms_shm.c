
/*
 * Copyright (C) ngx_meet authors
 *
 * The shared memory backend of the rooms store (see ngx_meet_rooms.h): the
 * zone "meet_rooms", its records in three lists under the zone's lock;
 * every call answers before it returns.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_meet_rooms.h"


typedef struct {
    ngx_queue_t                queue;
    ngx_uint_t                 n;
    ngx_str_t                  f[NGX_MEET_ROOMS_MAX_FIELDS];
} ngx_meet_rooms_shm_rec_t;


typedef struct {
    ngx_queue_t                rooms;       /* newest first */
    ngx_queue_t                accesses;
    ngx_queue_t                users;
} ngx_meet_rooms_sh_t;


typedef struct {
    ngx_shm_zone_t            *zone;
    ngx_slab_pool_t           *shpool;
    ngx_meet_rooms_sh_t       *sh;
} ngx_meet_rooms_shm_t;


static ngx_int_t ngx_meet_rooms_shm_init(ngx_shm_zone_t *zone, void *data);
static ngx_int_t ngx_meet_rooms_shm_run(ngx_meet_rooms_shm_t *st,
    ngx_pool_t *pool, ngx_meet_rooms_req_t *req,
    ngx_meet_rooms_result_t *res);
static ngx_meet_rooms_shm_rec_t *ngx_meet_rooms_shm_find(ngx_queue_t *list,
    ngx_uint_t field, ngx_str_t *value, ngx_uint_t field2,
    ngx_str_t *value2);
static ngx_int_t ngx_meet_rooms_shm_put(ngx_meet_rooms_shm_t *st,
    ngx_queue_t *list, ngx_meet_rooms_shm_rec_t *old, ngx_str_t *f,
    ngx_uint_t n);
static void ngx_meet_rooms_shm_free(ngx_meet_rooms_shm_t *st,
    ngx_meet_rooms_shm_rec_t *rec);
static ngx_uint_t ngx_meet_rooms_shm_owned(ngx_meet_rooms_sh_t *sh,
    ngx_str_t *user_id);
static ngx_int_t ngx_meet_rooms_shm_copy(ngx_pool_t *pool, ngx_str_t *dst,
    ngx_str_t *src, ngx_uint_t n);
static void ngx_meet_rooms_shm_call(ngx_meet_rooms_t *st, ngx_pool_t *pool,
    ngx_meet_rooms_req_t *req, ngx_meet_rooms_handler_pt handler,
    void *data);


static ngx_meet_rooms_store_t  ngx_meet_rooms_shm_store = {
    NULL,                                  /* init process */
    NULL,                                  /* exit process */
    ngx_meet_rooms_shm_call                /* call */
};


ngx_meet_rooms_t *
ngx_meet_rooms_create_shm(ngx_conf_t *cf, size_t size, void *tag)
{
    ngx_str_t              name;
    ngx_meet_rooms_t      *st;
    ngx_meet_rooms_shm_t  *shm;

    st = ngx_pcalloc(cf->pool, sizeof(ngx_meet_rooms_t));
    if (st == NULL) {
        return NULL;
    }

    shm = ngx_pcalloc(cf->pool, sizeof(ngx_meet_rooms_shm_t));
    if (shm == NULL) {
        return NULL;
    }

    st->store = &ngx_meet_rooms_shm_store;
    st->ctx = shm;

    ngx_str_set(&name, "meet_rooms");

    shm->zone = ngx_shared_memory_add(cf, &name, size, tag);
    if (shm->zone == NULL) {
        return NULL;
    }

    if (shm->zone->data) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet rooms: zone \"meet_rooms\" is used twice");
        return NULL;
    }

    shm->zone->init = ngx_meet_rooms_shm_init;
    shm->zone->data = shm;

    return st;
}


/* the zone and its rooms survive reloads: the old cycle's data is reused */

static ngx_int_t
ngx_meet_rooms_shm_init(ngx_shm_zone_t *zone, void *data)
{
    ngx_meet_rooms_shm_t *ost = data;

    ngx_meet_rooms_shm_t  *st;

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


static ngx_meet_rooms_shm_rec_t *
ngx_meet_rooms_shm_find(ngx_queue_t *list, ngx_uint_t field,
    ngx_str_t *value, ngx_uint_t field2, ngx_str_t *value2)
{
    ngx_queue_t           *q;
    ngx_meet_rooms_shm_rec_t  *rec;

    for (q = ngx_queue_head(list);
         q != ngx_queue_sentinel(list);
         q = ngx_queue_next(q))
    {
        rec = ngx_queue_data(q, ngx_meet_rooms_shm_rec_t, queue);

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
ngx_meet_rooms_shm_put(ngx_meet_rooms_shm_t *st, ngx_queue_t *list,
    ngx_meet_rooms_shm_rec_t *old, ngx_str_t *f, ngx_uint_t n)
{
    u_char                *p;
    size_t                 size;
    ngx_uint_t             i;
    ngx_meet_rooms_shm_rec_t  *rec;

    size = sizeof(ngx_meet_rooms_shm_rec_t);
    for (i = 0; i < n; i++) {
        size += f[i].len;
    }

    rec = ngx_slab_alloc_locked(st->shpool, size);
    if (rec == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(rec, sizeof(ngx_meet_rooms_shm_rec_t));
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
ngx_meet_rooms_shm_free(ngx_meet_rooms_shm_t *st, ngx_meet_rooms_shm_rec_t *rec)
{
    ngx_queue_remove(&rec->queue);
    ngx_slab_free_locked(st->shpool, rec);
}


/* the rooms "user_id" owns (the cap of meet_api_rooms_per_user) */

static ngx_uint_t
ngx_meet_rooms_shm_owned(ngx_meet_rooms_sh_t *sh, ngx_str_t *user_id)
{
    ngx_uint_t                 n;
    ngx_queue_t               *q;
    ngx_meet_rooms_shm_rec_t  *acc;

    n = 0;

    for (q = ngx_queue_head(&sh->accesses);
         q != ngx_queue_sentinel(&sh->accesses);
         q = ngx_queue_next(q))
    {
        acc = ngx_queue_data(q, ngx_meet_rooms_shm_rec_t, queue);

        if (acc->f[1].len == user_id->len
            && ngx_strncmp(acc->f[1].data, user_id->data, user_id->len) == 0
            && acc->f[3].len == 5
            && ngx_strncmp(acc->f[3].data, "owner", 5) == 0)
        {
            n++;
        }
    }

    return n;
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
ngx_meet_rooms_shm_run(ngx_meet_rooms_shm_t *st, ngx_pool_t *pool,
    ngx_meet_rooms_req_t *req, ngx_meet_rooms_result_t *res)
{
    ngx_str_t             *f, *rf, *af, *uf;
    ngx_uint_t             n;
    ngx_queue_t           *q;
    ngx_meet_rooms_sh_t   *sh;
    ngx_meet_rooms_shm_rec_t  *rec, *acc, *user;

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
            rec = ngx_queue_data(q, ngx_meet_rooms_shm_rec_t, queue);
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

        if (req->limit
            && ngx_meet_rooms_shm_owned(sh, &req->user_id) >= req->limit)
        {
            res->rc = NGX_ABORT;
            return NGX_OK;
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

        if (ngx_meet_rooms_shm_put(st, &sh->accesses, NULL, af,
                                   NGX_MEET_ACCESS_STORED)
            != NGX_OK)
        {
            /* no room without its owner: the slug stays free */
            ngx_meet_rooms_shm_free(st, ngx_queue_data(
                                            ngx_queue_head(&sh->rooms),
                                            ngx_meet_rooms_shm_rec_t, queue));
            return NGX_ERROR;
        }

        return NGX_OK;

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
            acc = ngx_queue_data(q, ngx_meet_rooms_shm_rec_t, queue);
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
            user = ngx_queue_data(q, ngx_meet_rooms_shm_rec_t, queue);

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


static void
ngx_meet_rooms_shm_call(ngx_meet_rooms_t *st, ngx_pool_t *pool,
    ngx_meet_rooms_req_t *req, ngx_meet_rooms_handler_pt handler,
    void *data)
{
    ngx_meet_rooms_shm_t *shm = st->ctx;

    ngx_int_t                 rc;
    ngx_meet_rooms_result_t   res;

    ngx_memzero(&res, sizeof(ngx_meet_rooms_result_t));

    ngx_shmtx_lock(&shm->shpool->mutex);
    rc = ngx_meet_rooms_shm_run(shm, pool, req, &res);
    ngx_shmtx_unlock(&shm->shpool->mutex);

    if (rc != NGX_OK) {
        /* only writes allocate in the zone: reads of what is there go on */
        res.rc = NGX_ERROR;
        res.reason = "The rooms store is full, try again later.";
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "meet rooms: the zone \"meet_rooms\" is full "
                      "(%uz bytes, see meet_api_rooms_zone_size), or the "
                      "request's pool is out of memory",
                      shm->zone->shm.size);
    }

    handler(data, &res);
}
