
/*
 * Copyright (C) ngx_meet authors
 *
 * ngx_meet_session_module: login sessions (see ngx_meet_session.h).
 *
 *     http {
 *         meet_session_store  shm 10m;        # the default
 *         meet_session_store  redis;          # through meet_redis
 *         meet_session_ttl    12h;
 *         meet_session_cookie sessionid;
 *     }
 *
 * Store keys: "s:<key>" the session (JSON), "o:<hex SHA-256 of iss NUL
 * sid>" the key of the session the OP knows by that sid (back-channel
 * logout).  The shared memory zone also keeps the server secret that
 * signs login state cookies, so a reload keeps sessions and logins in
 * flight.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <jansson.h>
#include "ngx_meet_core.h"
#include "ngx_meet_session.h"
#include "meet_jwt.h"


#define NGX_MEET_SESSION_SHM_DEFAULT  (10 * 1024 * 1024)
#define NGX_MEET_SESSION_MAX_VALUE    (32 * 1024)


typedef struct {
    size_t                      shm_size;
    ngx_uint_t                  redis;        /* meet_session_store redis */
    ngx_meet_session_store_t   *store;
    ngx_meet_session_store_t   *shm;          /* keeps the secret, always */
    time_t                      ttl;
    ngx_str_t                   cookie;
} ngx_meet_session_main_conf_t;


/* one store operation chain of a request */
typedef struct {
    ngx_http_request_t         *request;
    ngx_meet_session_t         *session;
    ngx_meet_session_handler_pt handler;
    ngx_meet_session_done_pt    done;
    ngx_str_t                   key;          /* "s:<hex>" */
    ngx_str_t                   id;           /* the cookie value */
    ngx_str_t                   index;        /* "o:<hex>" */
    ngx_str_t                   value;
    ngx_int_t                   rc;
    ngx_uint_t                  state;        /* of the flow's step */
    unsigned                    sync:1;       /* inside the store call */
    unsigned                    answered:1;
    unsigned                    held:1;       /* r->main->count++ done */
} ngx_meet_session_op_t;


static ngx_int_t ngx_meet_session_init(ngx_conf_t *cf);
static void *ngx_meet_session_create_main_conf(ngx_conf_t *cf);
static char *ngx_meet_session_init_main_conf(ngx_conf_t *cf, void *conf);
static char *ngx_meet_session_store_conf(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_meet_session_cookie_key(ngx_http_request_t *r,
    ngx_str_t *key);
static ngx_int_t ngx_meet_session_hash_key(ngx_pool_t *pool,
    const char *prefix, u_char *data, size_t len, u_char *data2,
    size_t len2, ngx_str_t *out);
static ngx_int_t ngx_meet_session_encode(ngx_pool_t *pool,
    ngx_meet_session_t *s, ngx_str_t *out);
static ngx_meet_session_t *ngx_meet_session_decode(ngx_pool_t *pool,
    ngx_str_t *key, ngx_str_t *value);
static ngx_int_t ngx_meet_session_set_cookie(ngx_http_request_t *r,
    ngx_str_t *value, time_t max_age);
static void ngx_meet_session_lookup_done(void *data, ngx_int_t rc,
    ngx_str_t *value);
static void ngx_meet_session_create_step(void *data, ngx_int_t rc,
    ngx_str_t *value);
static void ngx_meet_session_logout_step(void *data, ngx_int_t rc,
    ngx_str_t *value);
static void ngx_meet_session_end_step(void *data, ngx_int_t rc,
    ngx_str_t *value);
static void ngx_meet_session_failed(ngx_meet_session_op_t *op,
    const char *flow);
static void ngx_meet_session_ended(ngx_meet_session_op_t *op,
    const char *why);
static ngx_int_t ngx_meet_session_wait(ngx_meet_session_op_t *op);


static ngx_command_t  ngx_meet_session_commands[] = {

    { ngx_string("meet_session_store"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_meet_session_store_conf,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("meet_session_ttl"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_meet_session_main_conf_t, ttl),
      NULL },

    { ngx_string("meet_session_cookie"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_meet_session_main_conf_t, cookie),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_meet_session_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_meet_session_init,                 /* postconfiguration */

    ngx_meet_session_create_main_conf,     /* create main configuration */
    ngx_meet_session_init_main_conf,       /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    NULL,                                  /* create location configuration */
    NULL                                   /* merge location configuration */
};


ngx_module_t  ngx_meet_session_module = {
    NGX_MODULE_V1,
    &ngx_meet_session_module_ctx,          /* module context */
    ngx_meet_session_commands,             /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


/* configuration */


static void *
ngx_meet_session_create_main_conf(ngx_conf_t *cf)
{
    ngx_meet_session_main_conf_t  *smcf;

    smcf = ngx_pcalloc(cf->pool, sizeof(ngx_meet_session_main_conf_t));
    if (smcf == NULL) {
        return NULL;
    }

    smcf->shm_size = NGX_CONF_UNSET_SIZE;
    smcf->redis = NGX_CONF_UNSET_UINT;
    smcf->ttl = NGX_CONF_UNSET;

    return smcf;
}


static char *
ngx_meet_session_store_conf(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_meet_session_main_conf_t *smcf = conf;

    ssize_t     size;
    ngx_str_t  *value;

    if (smcf->redis != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "redis") == 0 && cf->args->nelts == 2) {
        smcf->redis = 1;
        return NGX_CONF_OK;
    }

    if (ngx_strcmp(value[1].data, "shm") != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_session_store: \"%V\" is neither \"shm "
                           "[size]\" nor \"redis\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    smcf->redis = 0;

    if (cf->args->nelts == 3) {
        size = ngx_parse_size(&value[2]);
        if (size == NGX_ERROR || size < (ssize_t) (8 * ngx_pagesize)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "meet_session_store: bad size \"%V\" "
                               "(at least %uz)", &value[2], 8 * ngx_pagesize);
            return NGX_CONF_ERROR;
        }

        smcf->shm_size = size;
    }

    return NGX_CONF_OK;
}


static char *
ngx_meet_session_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_meet_session_main_conf_t *smcf = conf;

    ngx_conf_init_value(smcf->ttl, 12 * 3600);
    ngx_conf_init_uint_value(smcf->redis, 0);

    if (smcf->cookie.data == NULL) {
        ngx_str_set(&smcf->cookie, "sessionid");
    }

    if (smcf->shm_size == NGX_CONF_UNSET_SIZE) {
        /* with redis the zone only keeps the secret */
        smcf->shm_size = smcf->redis ? 8 * ngx_pagesize
                                     : NGX_MEET_SESSION_SHM_DEFAULT;
    }

    smcf->shm = ngx_meet_session_shm_create(cf, smcf->shm_size,
                                            &ngx_meet_session_module);
    if (smcf->shm == NULL) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_meet_session_init(ngx_conf_t *cf)
{
    ngx_meet_session_main_conf_t  *smcf;

    smcf = ngx_http_conf_get_module_main_conf(cf, ngx_meet_session_module);

    if (!smcf->redis) {
        smcf->store = smcf->shm;
        return NGX_OK;
    }

    smcf->store = ngx_meet_session_redis_create(cf);

    if (smcf->store == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_session_store redis: no \"meet_redis\" "
                           "is configured in http{}");
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* helpers */


u_char *
ngx_meet_session_secret(ngx_http_request_t *r)
{
    ngx_meet_session_main_conf_t  *smcf;

    smcf = ngx_http_get_module_main_conf(r, ngx_meet_session_module);

    return ngx_meet_session_shm_secret(smcf->shm);
}


time_t
ngx_meet_session_ttl(ngx_http_request_t *r)
{
    ngx_meet_session_main_conf_t  *smcf;

    smcf = ngx_http_get_module_main_conf(r, ngx_meet_session_module);

    return smcf->ttl;
}


/* prefix + hex SHA-256 of data (NUL data2 when given) */

static ngx_int_t
ngx_meet_session_hash_key(ngx_pool_t *pool, const char *prefix, u_char *data,
    size_t len, u_char *data2, size_t len2, ngx_str_t *out)
{
    u_char        md[32], *p;
    size_t        plen;
    unsigned int  mdlen;
    EVP_MD_CTX   *ctx;

    ctx = EVP_MD_CTX_new();
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1
        || EVP_DigestUpdate(ctx, data, len) != 1
        || (data2 && (EVP_DigestUpdate(ctx, "", 1) != 1
                      || EVP_DigestUpdate(ctx, data2, len2) != 1))
        || EVP_DigestFinal_ex(ctx, md, &mdlen) != 1)
    {
        EVP_MD_CTX_free(ctx);
        return NGX_ERROR;
    }

    EVP_MD_CTX_free(ctx);

    plen = ngx_strlen(prefix);

    out->data = ngx_pnalloc(pool, plen + 2 * mdlen);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(out->data, prefix, plen);
    p = ngx_hex_dump(p, md, mdlen);
    out->len = p - out->data;

    return NGX_OK;
}


/* "s:<hex>" of the request's session cookie; NGX_DECLINED without one */

static ngx_int_t
ngx_meet_session_cookie_key(ngx_http_request_t *r, ngx_str_t *key)
{
    u_char                         raw[NGX_MEET_SESSION_ID_LEN + 4];
    ngx_str_t                      value, dec;
    ngx_meet_session_main_conf_t  *smcf;

    smcf = ngx_http_get_module_main_conf(r, ngx_meet_session_module);

    if (ngx_http_parse_multi_header_lines(&r->headers_in.cookies,
                                          &smcf->cookie, &value)
        == NGX_DECLINED)
    {
        return NGX_DECLINED;
    }

    /* our ids are base64url of 32 bytes: anything else is no session */

    dec.data = raw;

    if (value.len != 43
        || ngx_decode_base64url(&dec, &value) != NGX_OK
        || dec.len != NGX_MEET_SESSION_ID_LEN)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet session: malformed \"%V\" cookie ignored",
                      &smcf->cookie);
        return NGX_DECLINED;
    }

    return ngx_meet_session_hash_key(r->pool, "s:", value.data, value.len,
                                     NULL, 0, key);
}


static ngx_int_t
ngx_meet_session_set_cookie(ngx_http_request_t *r, ngx_str_t *value,
    time_t max_age)
{
    u_char                        *p;
    ngx_table_elt_t               *h;
    ngx_meet_session_main_conf_t  *smcf;

    smcf = ngx_http_get_module_main_conf(r, ngx_meet_session_module);

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    p = ngx_pnalloc(r->pool, smcf->cookie.len + value->len
                             + sizeof("=; Path=/; Max-Age=; HttpOnly; Secure;"
                                      " SameSite=Lax") + NGX_TIME_T_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Set-Cookie");
    h->value.data = p;
    p = ngx_sprintf(p, "%V=%V; Path=/; Max-Age=%T; HttpOnly; Secure; "
                    "SameSite=Lax", &smcf->cookie, value, max_age);
    h->value.len = p - h->value.data;

    return NGX_OK;
}


static ngx_int_t
ngx_meet_session_encode(ngx_pool_t *pool, ngx_meet_session_t *s,
    ngx_str_t *out)
{
    json_t     *o;
    ngx_int_t   rc;

    o = json_pack("{s:s%,s:s%,s:s%,s:s%,s:s%,s:s%,s:s%,s:I,s:I}",
                  "u", s->user_id.data, s->user_id.len,
                  "sub", s->sub.data, s->sub.len,
                  "email", s->email.data, s->email.len,
                  "name", s->full_name.data, s->full_name.len,
                  "short", s->short_name.data, s->short_name.len,
                  "osid", s->op_sid.data, s->op_sid.len,
                  "idt", s->id_token.data, s->id_token.len,
                  "c", (json_int_t) s->created,
                  "e", (json_int_t) s->expires);
    if (o == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_meet_json_dump(pool, o, out);
    json_decref(o);

    return rc;
}


static ngx_meet_session_t *
ngx_meet_session_decode(ngx_pool_t *pool, ngx_str_t *key, ngx_str_t *value)
{
    json_t              *o;
    ngx_meet_session_t  *s;

    s = ngx_pcalloc(pool, sizeof(ngx_meet_session_t));
    if (s == NULL) {
        return NULL;
    }

    o = json_loadb((char *) value->data, value->len, 0, NULL);

    if (o == NULL
        || ngx_meet_json_string(pool, o, "u", &s->user_id) != NGX_OK
        || ngx_meet_json_string(pool, o, "sub", &s->sub) != NGX_OK
        || ngx_meet_json_string(pool, o, "email", &s->email) != NGX_OK
        || ngx_meet_json_string(pool, o, "name", &s->full_name)
           != NGX_OK
        || ngx_meet_json_string(pool, o, "short", &s->short_name)
           != NGX_OK
        || ngx_meet_json_string(pool, o, "osid", &s->op_sid) != NGX_OK
        || ngx_meet_json_string(pool, o, "idt", &s->id_token) != NGX_OK
        || !json_is_integer(json_object_get(o, "c"))
        || !json_is_integer(json_object_get(o, "e")))
    {
        json_decref(o);
        return NULL;
    }

    s->created = (time_t) json_integer_value(json_object_get(o, "c"));
    s->expires = (time_t) json_integer_value(json_object_get(o, "e"));
    json_decref(o);

    /* the key without "s:" */
    s->key.data = key->data + 2;
    s->key.len = key->len - 2;

    return s;
}


static ngx_meet_session_store_t *
ngx_meet_session_store(ngx_http_request_t *r)
{
    ngx_meet_session_main_conf_t  *smcf;

    smcf = ngx_http_get_module_main_conf(r, ngx_meet_session_module);

    return smcf->store;
}


/*
 * After a lookup's store call: the handler's rc when the answer came
 * inside the call, else the request is held (NGX_DONE) until it comes.
 * Operations with a done callback never hold the request: their callers
 * (the OIDC handlers) hold it for their whole exchange.
 */

static ngx_int_t
ngx_meet_session_wait(ngx_meet_session_op_t *op)
{
    if (op->answered) {
        return op->rc;
    }

    op->held = 1;
    op->request->main->count++;

    return NGX_DONE;
}


static void
ngx_meet_session_finish(ngx_meet_session_op_t *op, ngx_int_t rc)
{
    ngx_http_request_t  *r;

    r = op->request;

    if (op->done) {
        op->done(r, rc == NGX_ERROR ? NULL : op->session, rc);
        return;
    }

    rc = op->handler(r, rc == NGX_OK ? op->session : NULL, rc);

    op->rc = rc;
    op->answered = 1;

    if (op->held) {
        op->held = 0;
        ngx_http_finalize_request(r, rc);
    }
}


/* lookup */


ngx_int_t
ngx_meet_session_lookup(ngx_http_request_t *r,
    ngx_meet_session_handler_pt handler)
{
    ngx_int_t                  rc;
    ngx_meet_session_op_t     *op;
    ngx_meet_session_store_t  *st;

    op = ngx_pcalloc(r->pool, sizeof(ngx_meet_session_op_t));
    if (op == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    op->request = r;
    op->handler = handler;

    rc = ngx_meet_session_cookie_key(r, &op->key);

    if (rc == NGX_DECLINED) {
        return handler(r, NULL, NGX_DECLINED);
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    st = ngx_meet_session_store(r);

    if (st->get(st, &op->key, r->pool, ngx_meet_session_lookup_done, op)
        != NGX_OK)
    {
        return handler(r, NULL, NGX_ERROR);
    }

    return ngx_meet_session_wait(op);
}


static void
ngx_meet_session_lookup_done(void *data, ngx_int_t rc, ngx_str_t *value)
{
    ngx_meet_session_op_t *op = data;

    ngx_http_request_t  *r;

    r = op->request;

    if (rc == NGX_OK) {
        op->session = ngx_meet_session_decode(r->pool, &op->key, value);

        if (op->session == NULL) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "meet session: unreadable session in the %V "
                          "store, treated as none",
                          &ngx_meet_session_store(r)->name);
            rc = NGX_DECLINED;

        } else if (op->session->expires <= ngx_time()) {
            rc = NGX_DECLINED;
        }
    }

    if (rc == NGX_ERROR) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "meet session: the %V store is unavailable, the "
                      "request is treated as not logged in",
                      &ngx_meet_session_store(r)->name);
    }

    ngx_meet_session_finish(op, rc);
}


/* the store calls of ngx_meet_session_create() */

static void
ngx_meet_session_create_step(void *data, ngx_int_t rc, ngx_str_t *value)
{
    ngx_meet_session_op_t *op = data;

    ngx_str_t                  sess;
    ngx_http_request_t        *r;
    ngx_meet_session_store_t  *st;
    enum {
        sw_index = 0,            /* store "o:<hash>" -> key (an OP sid) */
        sw_session,              /* store "s:<key>" -> session */
        sw_cookie                /* then the cookie */
    } state;

    r = op->request;
    st = ngx_meet_session_store(r);

    for ( ;; ) {
        state = op->state;

        if (rc == NGX_ERROR) {
            ngx_meet_session_failed(op, "create");
            return;
        }

        switch (state) {

        case sw_index:
            op->state = sw_session;

            if (op->index.len) {
                sess.data = op->key.data + 2;
                sess.len = op->key.len - 2;

                if (st->set(st, &op->index, &sess, ngx_meet_session_ttl(r),
                            ngx_meet_session_create_step, op) != NGX_OK)
                {
                    rc = NGX_ERROR;
                    continue;
                }

                return;
            }

            continue;

        case sw_session:
            op->state = sw_cookie;

            if (st->set(st, &op->key, &op->value, ngx_meet_session_ttl(r),
                        ngx_meet_session_create_step, op) != NGX_OK)
            {
                rc = NGX_ERROR;
                continue;
            }

            return;

        case sw_cookie:
            if (ngx_meet_session_set_cookie(r, &op->id,
                                            ngx_meet_session_ttl(r))
                != NGX_OK)
            {
                rc = NGX_ERROR;
                continue;
            }

            ngx_meet_session_finish(op, NGX_OK);
            return;
        }
    }
}


/* the store calls of ngx_meet_session_logout() */

static void
ngx_meet_session_logout_step(void *data, ngx_int_t rc, ngx_str_t *value)
{
    ngx_meet_session_op_t *op = data;

    ngx_http_request_t        *r;
    ngx_meet_session_store_t  *st;
    enum {
        sw_get = 0,              /* got "s:<key>" */
        sw_del                   /* deleted "s:<key>" */
    } state;

    r = op->request;
    st = ngx_meet_session_store(r);

    for ( ;; ) {
        state = op->state;

        if (rc == NGX_ERROR) {
            ngx_meet_session_failed(op, "logout");
            return;
        }

        switch (state) {

        case sw_get:
            if (rc == NGX_DECLINED) {
                ngx_meet_session_finish(op, NGX_DECLINED);
                return;
            }

            op->session = ngx_meet_session_decode(r->pool, &op->key, value);
            op->state = sw_del;

            if (st->del(st, &op->key, ngx_meet_session_logout_step, op)
                != NGX_OK)
            {
                rc = NGX_ERROR;
                continue;
            }

            return;

        case sw_del:
            ngx_meet_session_ended(op, "logout");
            ngx_meet_session_finish(op, NGX_OK);
            return;
        }
    }
}


/* the store calls of ngx_meet_session_end_op_sid() */

static void
ngx_meet_session_end_step(void *data, ngx_int_t rc, ngx_str_t *value)
{
    ngx_meet_session_op_t *op = data;

    ngx_int_t                  next;
    ngx_http_request_t        *r;
    ngx_meet_session_store_t  *st;
    enum {
        sw_index = 0,            /* got "o:<hash>": the session key */
        sw_session,              /* got "s:<key>" */
        sw_session_del,          /* deleted "s:<key>" */
        sw_index_del             /* deleted "o:<hash>" */
    } state;

    r = op->request;
    st = ngx_meet_session_store(r);

    for ( ;; ) {
        state = op->state;

        if (rc == NGX_ERROR) {
            ngx_meet_session_failed(op, "back-channel logout");
            return;
        }

        switch (state) {

        case sw_index:
            if (rc == NGX_DECLINED) {
                ngx_meet_session_finish(op, NGX_DECLINED);
                return;
            }

            /* the value is the session key without "s:" */
            op->key.len = value->len + 2;
            op->key.data = ngx_pnalloc(r->pool, op->key.len);
            if (op->key.data == NULL) {
                rc = NGX_ERROR;
                continue;
            }

            ngx_memcpy(op->key.data, "s:", 2);
            ngx_memcpy(op->key.data + 2, value->data, value->len);

            op->state = sw_session;

            if (st->get(st, &op->key, r->pool, ngx_meet_session_end_step, op)
                != NGX_OK)
            {
                rc = NGX_ERROR;
                continue;
            }

            return;

        case sw_session:
            if (rc == NGX_OK) {
                op->session = ngx_meet_session_decode(r->pool, &op->key,
                                                      value);
            }

            op->state = sw_session_del;
            next = st->del(st, &op->key, ngx_meet_session_end_step, op);

            if (next != NGX_OK) {
                rc = NGX_ERROR;
                continue;
            }

            return;

        case sw_session_del:
            ngx_meet_session_ended(op, "back-channel logout");

            op->state = sw_index_del;

            if (st->del(st, &op->index, ngx_meet_session_end_step, op)
                != NGX_OK)
            {
                rc = NGX_ERROR;
                continue;
            }

            return;

        case sw_index_del:
            ngx_meet_session_finish(op, op->session ? NGX_OK : NGX_DECLINED);
            return;
        }
    }
}


/* a store call of a flow failed: the flow ends with NGX_ERROR */

static void
ngx_meet_session_failed(ngx_meet_session_op_t *op, const char *flow)
{
    ngx_http_request_t  *r;

    r = op->request;

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "meet session: the %V store failed (%s, step %ui)",
                  &ngx_meet_session_store(r)->name, flow, op->state);

    ngx_meet_session_finish(op, NGX_ERROR);
}


/* a session ended (logout): its meeting connections are closed */

static void
ngx_meet_session_ended(ngx_meet_session_op_t *op, const char *why)
{
    if (op->session) {
        ngx_log_error(NGX_LOG_NOTICE, op->request->connection->log, 0,
                      "meet session: session of \"%V\" ended (%s), "
                      "%ui meeting connection(s) closed",
                      ngx_meet_log_esc(&op->session->sub), why,
                      ngx_meet_logout_disconnect(&op->session->key));
    }
}


ngx_int_t
ngx_meet_session_create(ngx_http_request_t *r, ngx_meet_session_t *s,
    ngx_meet_session_done_pt done)
{
    u_char                  raw[NGX_MEET_SESSION_ID_LEN];
    ngx_str_t               src;
    ngx_meet_session_op_t  *op;

    op = ngx_pcalloc(r->pool, sizeof(ngx_meet_session_op_t));
    if (op == NULL) {
        return NGX_ERROR;
    }

    op->request = r;
    op->session = s;
    op->done = done;

    if (RAND_bytes(raw, sizeof(raw)) != 1) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "meet session: RAND_bytes() failed");
        return NGX_ERROR;
    }

    op->id.data = ngx_pnalloc(r->pool,
                              ngx_base64_encoded_length(sizeof(raw)));
    if (op->id.data == NULL) {
        return NGX_ERROR;
    }

    src.data = raw;
    src.len = sizeof(raw);
    ngx_encode_base64url(&op->id, &src);

    if (ngx_meet_session_hash_key(r->pool, "s:", op->id.data, op->id.len,
                                  NULL, 0, &op->key)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    s->key.data = op->key.data + 2;
    s->key.len = op->key.len - 2;
    s->created = ngx_time();
    s->expires = s->created + ngx_meet_session_ttl(r);

    if (s->op_sid.len) {
        if (ngx_meet_session_hash_key(r->pool, "o:", s->iss.data, s->iss.len,
                                      s->op_sid.data, s->op_sid.len,
                                      &op->index)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    if (ngx_meet_session_encode(r->pool, s, &op->value) != NGX_OK) {
        return NGX_ERROR;
    }

    /* sw_session stores op->value; the cookie (sw_cookie) needs the id */

    op->state = 0;
    ngx_meet_session_create_step(op, NGX_OK, NULL);

    return NGX_OK;
}


ngx_int_t
ngx_meet_session_logout(ngx_http_request_t *r, ngx_meet_session_done_pt done)
{
    ngx_int_t                  rc;
    ngx_str_t                  empty;
    ngx_meet_session_op_t     *op;
    ngx_meet_session_store_t  *st;

    op = ngx_pcalloc(r->pool, sizeof(ngx_meet_session_op_t));
    if (op == NULL) {
        return NGX_ERROR;
    }

    op->request = r;
    op->done = done;

    /* the cookie goes in any case */

    ngx_str_set(&empty, "");
    if (ngx_meet_session_set_cookie(r, &empty, 0) != NGX_OK) {
        return NGX_ERROR;
    }

    rc = ngx_meet_session_cookie_key(r, &op->key);

    if (rc == NGX_DECLINED) {
        done(r, NULL, NGX_DECLINED);
        return NGX_OK;
    }

    if (rc != NGX_OK) {
        return NGX_ERROR;
    }

    st = ngx_meet_session_store(r);
    op->state = 0;

    if (st->get(st, &op->key, r->pool, ngx_meet_session_logout_step, op)
        != NGX_OK)
    {
        done(r, NULL, NGX_ERROR);
    }

    return NGX_OK;
}


ngx_int_t
ngx_meet_session_end_op_sid(ngx_http_request_t *r, ngx_str_t *iss,
    ngx_str_t *sid, ngx_meet_session_done_pt done)
{
    ngx_meet_session_op_t     *op;
    ngx_meet_session_store_t  *st;

    op = ngx_pcalloc(r->pool, sizeof(ngx_meet_session_op_t));
    if (op == NULL) {
        return NGX_ERROR;
    }

    op->request = r;
    op->done = done;

    if (ngx_meet_session_hash_key(r->pool, "o:", iss->data, iss->len,
                                  sid->data, sid->len, &op->index)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    st = ngx_meet_session_store(r);
    op->state = 0;

    if (st->get(st, &op->index, r->pool, ngx_meet_session_end_step, op)
        != NGX_OK)
    {
        done(r, NULL, NGX_ERROR);
    }

    return NGX_OK;
}
