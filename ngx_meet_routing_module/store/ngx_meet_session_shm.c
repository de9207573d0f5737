
/*
 * Copyright (C) ngx_meet authors
 *
 * The shared memory backend of the session store (see ngx_meet_session.h):
 * the zone "meet_sessions", an rbtree of keys and a queue, oldest first,
 * that makes room when the zone is full.  The zone also keeps the server
 * secret, whatever store the sessions use.  Every call answers before it
 * returns.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <openssl/rand.h>
#include "ngx_meet_session.h"


typedef struct {
    ngx_rbtree_t                rbtree;
    ngx_rbtree_node_t           sentinel;
    ngx_queue_t                 queue;        /* oldest first */
    u_char                      secret[32];
    ngx_uint_t                  entries;
} ngx_meet_session_sh_t;


typedef struct {
    ngx_str_node_t              sn;
    ngx_queue_t                 queue;
    time_t                      expires;
    ngx_str_t                   value;
    /* key and value bytes follow */
} ngx_meet_session_node_t;


typedef struct {
    ngx_meet_session_sh_t      *sh;
    ngx_slab_pool_t            *shpool;
} ngx_meet_session_shm_t;


static ngx_int_t ngx_meet_session_shm_init(ngx_shm_zone_t *zone, void *data);

static ngx_int_t ngx_meet_session_shm_get(ngx_meet_session_store_t *st,
    ngx_str_t *key, ngx_pool_t *pool, ngx_meet_session_store_pt handler,
    void *data);
static ngx_int_t ngx_meet_session_shm_set(ngx_meet_session_store_t *st,
    ngx_str_t *key, ngx_str_t *value, time_t ttl,
    ngx_meet_session_store_pt handler, void *data);
static ngx_int_t ngx_meet_session_shm_del(ngx_meet_session_store_t *st,
    ngx_str_t *key, ngx_meet_session_store_pt handler, void *data);


ngx_meet_session_store_t *
ngx_meet_session_shm_create(ngx_conf_t *cf, size_t size, void *tag)
{
    ngx_str_t                  name;
    ngx_shm_zone_t            *zone;
    ngx_meet_session_shm_t    *shm;
    ngx_meet_session_store_t  *st;

    st = ngx_pcalloc(cf->pool, sizeof(ngx_meet_session_store_t));
    if (st == NULL) {
        return NULL;
    }

    shm = ngx_pcalloc(cf->pool, sizeof(ngx_meet_session_shm_t));
    if (shm == NULL) {
        return NULL;
    }

    ngx_str_set(&name, "meet_sessions");

    zone = ngx_shared_memory_add(cf, &name, size, tag);
    if (zone == NULL) {
        return NULL;
    }

    zone->init = ngx_meet_session_shm_init;
    zone->data = shm;

    st->get = ngx_meet_session_shm_get;
    st->set = ngx_meet_session_shm_set;
    st->del = ngx_meet_session_shm_del;
    st->ctx = shm;
    ngx_str_set(&st->name, "shm");

    return st;
}


u_char *
ngx_meet_session_shm_secret(ngx_meet_session_store_t *st)
{
    ngx_meet_session_shm_t *shm = st->ctx;

    return shm->sh->secret;
}


static ngx_int_t
ngx_meet_session_shm_init(ngx_shm_zone_t *zone, void *data)
{
    ngx_meet_session_shm_t *old = data;

    ngx_meet_session_shm_t  *shm;

    shm = zone->data;
    shm->shpool = (ngx_slab_pool_t *) zone->shm.addr;

    if (old) {
        shm->sh = old->sh;
        return NGX_OK;
    }

    if (zone->shm.exists) {
        shm->sh = shm->shpool->data;
        return NGX_OK;
    }

    shm->sh = ngx_slab_alloc(shm->shpool, sizeof(ngx_meet_session_sh_t));
    if (shm->sh == NULL) {
        return NGX_ERROR;
    }

    shm->shpool->data = shm->sh;

    ngx_rbtree_init(&shm->sh->rbtree, &shm->sh->sentinel,
                    ngx_str_rbtree_insert_value);
    ngx_queue_init(&shm->sh->queue);

    if (RAND_bytes(shm->sh->secret, sizeof(shm->sh->secret)) != 1) {
        ngx_log_error(NGX_LOG_EMERG, zone->shm.log, 0,
                      "meet session: RAND_bytes() failed");
        return NGX_ERROR;
    }

    shm->shpool->log_nomem = 0;

    return NGX_OK;
}


static ngx_meet_session_node_t *
ngx_meet_session_shm_find(ngx_meet_session_shm_t *shm, ngx_str_t *key)
{
    return (ngx_meet_session_node_t *)
           ngx_str_rbtree_lookup(&shm->sh->rbtree, key,
                                 ngx_crc32_short(key->data, key->len));
}


static void
ngx_meet_session_shm_free(ngx_meet_session_shm_t *shm,
    ngx_meet_session_node_t *n)
{
    ngx_rbtree_delete(&shm->sh->rbtree, &n->sn.node);
    ngx_queue_remove(&n->queue);
    ngx_slab_free_locked(shm->shpool, n);
    shm->sh->entries--;
}


static ngx_int_t
ngx_meet_session_shm_get(ngx_meet_session_store_t *st, ngx_str_t *key,
    ngx_pool_t *pool, ngx_meet_session_store_pt handler, void *data)
{
    ngx_meet_session_shm_t *shm = st->ctx;

    ngx_int_t                 rc;
    ngx_str_t                 value;
    ngx_meet_session_node_t  *n;

    ngx_str_null(&value);

    ngx_shmtx_lock(&shm->shpool->mutex);

    n = ngx_meet_session_shm_find(shm, key);

    if (n && n->expires <= ngx_time()) {
        ngx_meet_session_shm_free(shm, n);
        n = NULL;
    }

    rc = NGX_DECLINED;

    if (n) {
        value.data = ngx_pnalloc(pool, n->value.len);
        if (value.data == NULL) {
            rc = NGX_ERROR;

        } else {
            ngx_memcpy(value.data, n->value.data, n->value.len);
            value.len = n->value.len;
            rc = NGX_OK;
        }
    }

    ngx_shmtx_unlock(&shm->shpool->mutex);

    handler(data, rc, rc == NGX_OK ? &value : NULL);

    return NGX_OK;
}


static ngx_int_t
ngx_meet_session_shm_set(ngx_meet_session_store_t *st, ngx_str_t *key,
    ngx_str_t *value, time_t ttl, ngx_meet_session_store_pt handler,
    void *data)
{
    ngx_meet_session_shm_t *shm = st->ctx;

    size_t                    size;
    time_t                    now;
    u_char                   *p;
    ngx_uint_t                evicted;
    ngx_queue_t              *q;
    ngx_meet_session_node_t  *n, *old;

    size = sizeof(ngx_meet_session_node_t) + key->len + value->len;
    now = ngx_time();
    evicted = 0;

    ngx_shmtx_lock(&shm->shpool->mutex);

    old = ngx_meet_session_shm_find(shm, key);
    if (old) {
        ngx_meet_session_shm_free(shm, old);
    }

    for ( ;; ) {
        n = ngx_slab_alloc_locked(shm->shpool, size);
        if (n || ngx_queue_empty(&shm->sh->queue)) {
            break;
        }

        /* full: the oldest entries make room, expired or not */

        q = ngx_queue_head(&shm->sh->queue);
        ngx_meet_session_shm_free(shm, ngx_queue_data(q,
                                      ngx_meet_session_node_t, queue));
        evicted++;
    }

    if (n) {
        p = (u_char *) n + sizeof(ngx_meet_session_node_t);

        n->sn.str.data = p;
        n->sn.str.len = key->len;
        p = ngx_cpymem(p, key->data, key->len);

        n->value.data = p;
        n->value.len = value->len;
        ngx_memcpy(p, value->data, value->len);

        n->sn.node.key = ngx_crc32_short(key->data, key->len);
        n->expires = now + ttl;

        ngx_rbtree_insert(&shm->sh->rbtree, &n->sn.node);
        ngx_queue_insert_tail(&shm->sh->queue, &n->queue);
        shm->sh->entries++;
    }

    ngx_shmtx_unlock(&shm->shpool->mutex);

    if (evicted) {
        ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                      "meet session: the \"meet_sessions\" zone is full, "
                      "%ui oldest entries dropped (raise the size of "
                      "meet_session_store shm)", evicted);
    }

    if (n == NULL) {
        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "meet session: an entry of %uz bytes does not fit "
                      "into the \"meet_sessions\" zone", size);
    }

    handler(data, n ? NGX_OK : NGX_ERROR, NULL);

    return NGX_OK;
}


static ngx_int_t
ngx_meet_session_shm_del(ngx_meet_session_store_t *st, ngx_str_t *key,
    ngx_meet_session_store_pt handler, void *data)
{
    ngx_meet_session_shm_t *shm = st->ctx;

    ngx_meet_session_node_t  *n;

    ngx_shmtx_lock(&shm->shpool->mutex);

    n = ngx_meet_session_shm_find(shm, key);
    if (n) {
        ngx_meet_session_shm_free(shm, n);
    }

    ngx_shmtx_unlock(&shm->shpool->mutex);

    handler(data, n ? NGX_OK : NGX_DECLINED, NULL);

    return NGX_OK;
}
