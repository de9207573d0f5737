
/*
 * Copyright (C) ngx_meet authors
 *
 * The users of the meeting API (ngx_meet_api.h): users/?q=<email> (the
 * stored users of that address) and users/me/ (Meet's UserSerializer of
 * the session's user, who is stored then, so that others find him).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_meet_api.h"


static ngx_int_t ngx_meet_api_users_answer(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_result_t *res);
static ngx_int_t ngx_meet_api_me_stored(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_result_t *res);
static ngx_int_t ngx_meet_api_users_me(ngx_http_request_t *r,
    ngx_meet_session_t *s);


/* GET users/?q=<email>: no q, no users */

ngx_int_t
ngx_meet_api_users_request(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx)
{
    json_t     *q;
    u_char     *src, *dst;
    ngx_int_t   rc;
    ngx_str_t   arg;

    if (ngx_http_arg(r, (u_char *) "q", 1, &arg) != NGX_OK
        || arg.len == 0)
    {
        q = json_array();
        if (q == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        rc = ngx_meet_http_send_json(r, NGX_HTTP_OK, q);
        json_decref(q);
        return rc;
    }

    /* an e-mail address: %40 for '@' and the like */
    ctx->key.data = ngx_pnalloc(r->pool, arg.len);
    if (ctx->key.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    src = arg.data;
    dst = ctx->key.data;
    ngx_unescape_uri(&dst, &src, arg.len, NGX_UNESCAPE_URI);
    ctx->key.len = dst - ctx->key.data;

    return ngx_meet_api_call(r, ctx, NGX_MEET_USER_FIND, &ctx->key,
                             ngx_meet_api_users_answer);
}


/*
 * GET users/me/: the app asks for it at every start: the user is stored
 * (or updated) then, so that others find it (users/?q=) and can invite
 * it (resource-accesses/)
 */

ngx_int_t
ngx_meet_api_me_request(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx)
{
    ngx_meet_session_t    *s;
    ngx_meet_rooms_req_t  *req;

    s = ctx->session;

    req = ngx_meet_api_req(r, ctx, NGX_MEET_USER_UPSERT, NULL);
    if (req == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    req->user.id = s->user_id;
    req->user.sub = s->sub;
    req->user.email = s->email;
    req->user.full_name = s->full_name;
    req->user.short_name = s->short_name;

    /* the session alone answers when the store is down */
    ctx->store_optional = 1;

    return ngx_meet_api_store(ctx, req, ngx_meet_api_me_stored);
}


static ngx_int_t
ngx_meet_api_users_answer(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_result_t *res)
{
    json_t           *list;
    ngx_int_t         rc;
    ngx_uint_t        i, n;
    ngx_meet_user_t  *u;

    list = json_array();
    if (list == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    n = res->items ? res->items->nelts : 0;
    u = n ? res->items->elts : NULL;

    for (i = 0; i < n; i++) {
        if (json_array_append_new(list,
                json_pack("{s:s% s:s% s:s% s:s%}",
                          "id", u[i].id.data, u[i].id.len,
                          "email", u[i].email.data, u[i].email.len,
                          "full_name", u[i].full_name.data,
                          u[i].full_name.len,
                          "short_name", u[i].short_name.data,
                          u[i].short_name.len))
            != 0)
        {
            json_decref(list);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    rc = ngx_meet_http_send_json(r, NGX_HTTP_OK, list);
    json_decref(list);

    return rc;
}


static ngx_int_t
ngx_meet_api_me_stored(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_result_t *res)
{
    return ngx_meet_api_users_me(r, ctx->session);
}


static ngx_int_t
ngx_meet_api_users_me(ngx_http_request_t *r, ngx_meet_session_t *s)
{
    json_t  *root;

    root = json_pack("{s:s% s:s% s:s% s:s% s:s s:s}",
                     "id", s->user_id.data, s->user_id.len,
                     "email", s->email.data, s->email.len,
                     "full_name", s->full_name.data, s->full_name.len,
                     "short_name", s->short_name.data, s->short_name.len,
                     "timezone", "UTC",
                     "language", "en-us");
    return ngx_meet_api_send(r, NGX_HTTP_OK, root);
}


