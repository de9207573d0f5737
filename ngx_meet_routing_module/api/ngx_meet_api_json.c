
/*
 * Copyright (C) ngx_meet authors
 *
 * What the api handlers share (ngx_meet_api.h): Django REST framework's
 * answers (send, field errors, "Method not allowed", pagination, Meet's
 * ResourceAccessSerializer), checks of input (UUIDs, choices, roles,
 * room names, ?username=), this server's origin for URLs, and the
 * requests to the rooms store (made here, called by the module once an
 * endpoint returned NGX_MEET_API_STORE).  Calls nothing of the api
 * files above it.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_meet_api.h"


/* Meet's ResourceAccessSerializer: the user as an object */

json_t *
ngx_meet_api_access_json(ngx_meet_room_access_t *a)
{
    ngx_str_t  *f, empty = ngx_string("");
    ngx_uint_t  i;

    /* fields the store did not fill (a user it does not know) are "" */

    f = (ngx_str_t *) a;

    for (i = 0; i < NGX_MEET_ACCESS_FIELDS; i++) {
        if (f[i].data == NULL) {
            f[i] = empty;
        }
    }

    return json_pack("{s:s% s:{s:s% s:s% s:s% s:s%} s:s% s:s%}",
                     "id", a->id.data, a->id.len,
                     "user",
                     "id", a->user_id.data, a->user_id.len,
                     "email", a->email.data, a->email.len,
                     "full_name", a->full_name.data, a->full_name.len,
                     "short_name", a->short_name.data, a->short_name.len,
                     "resource", a->room_id.data, a->room_id.len,
                     "role", a->role.data, a->role.len);
}


/* DRF's PageNumberPagination: {count, next, previous, results} */

json_t *
ngx_meet_api_page(ngx_http_request_t *r, json_t *results, ngx_uint_t count,
    ngx_uint_t page, ngx_uint_t more)
{
    u_char     *p;
    json_t     *link[2];
    ngx_str_t   base;
    ngx_uint_t  i, to;

    link[0] = json_null();
    link[1] = json_null();

    base.len = 0;

    if ((more || page > 1)
        && ngx_meet_api_origin(r, "http", &base) != NGX_OK)
    {
        base.len = 0;
    }

    for (i = 0; i < 2 && base.len; i++) {
        if ((i == 0 && !more) || (i == 1 && page < 2)) {
            continue;
        }

        to = i ? page - 1 : page + 1;

        p = ngx_pnalloc(r->pool, base.len + r->uri.len + NGX_INT_T_LEN + 8);
        if (p == NULL) {
            break;
        }

        /* as DRF: the first page's link has no page parameter */
        json_decref(link[i]);
        link[i] = json_stringn((char *) p,
                               (to == 1
                                ? ngx_sprintf(p, "%V%V", &base, &r->uri)
                                : ngx_sprintf(p, "%V%V?page=%ui", &base,
                                              &r->uri, to))
                               - p);
    }

    return json_pack("{s:I s:o s:o s:o}",
                     "count", (json_int_t) count,
                     "next", link[0],
                     "previous", link[1],
                     "results", results);
}


/* sends value (taken) as the answer; NULL (no memory) is a 500 */

ngx_int_t
ngx_meet_api_send(ngx_http_request_t *r, ngx_uint_t status, json_t *value)
{
    ngx_int_t  rc;

    if (value == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_meet_http_send_json(r, status, value);
    json_decref(value);

    return rc;
}


ngx_int_t
ngx_meet_api_send_errors(ngx_http_request_t *r, json_t *errors)
{
    return ngx_meet_api_send(r, NGX_HTTP_BAD_REQUEST, errors);
}


/* 400 {"field": ["message"]} */

ngx_int_t
ngx_meet_api_send_error(ngx_http_request_t *r, const char *field,
    const char *msg)
{
    json_t  *errors;

    errors = json_object();
    if (errors == NULL
        || ngx_meet_api_field_error(errors, field, msg) != NGX_OK)
    {
        json_decref(errors);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_meet_api_send_errors(r, errors);
}


/* DRF's field errors: {"field": ["message"]} */

ngx_int_t
ngx_meet_api_field_error(json_t *errors, const char *field, const char *msg)
{
    return json_object_set_new(errors, field, json_pack("[s]", msg)) == 0
           ? NGX_OK : NGX_ERROR;
}


/* the index of a JSON string among choices, or NGX_MEET_API_NO_CHOICE */

ngx_uint_t
ngx_meet_api_choice(json_t *v, const char **choices, ngx_str_t *out)
{
    ngx_uint_t  i;

    for (i = 0; json_is_string(v) && choices[i]; i++) {
        if (ngx_strcmp(json_string_value(v), choices[i]) == 0) {
            out->data = (u_char *) choices[i];
            out->len = ngx_strlen(choices[i]);
            return i;
        }
    }

    return NGX_MEET_API_NO_CHOICE;
}


ngx_uint_t
ngx_meet_api_is_uuid(ngx_str_t *s)
{
    ngx_uint_t  i;

    if (s->len != 36 || s->data == NULL) {
        return 0;
    }

    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s->data[i] != '-') {
                return 0;
            }

        } else if (!isxdigit(s->data[i])) {
            return 0;
        }
    }

    return 1;
}


ngx_uint_t
ngx_meet_api_admin(ngx_str_t *role)
{
    return (role->len == 5 && ngx_strncmp(role->data, "owner", 5) == 0)
           || (role->len == 13
               && ngx_strncmp(role->data, "administrator", 13) == 0);
}


ngx_int_t
ngx_meet_api_not_allowed(ngx_http_request_t *r, const char *allow)
{
    u_char           *p;
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Allow");
    h->value.data = (u_char *) allow;
    h->value.len = ngx_strlen(allow);

    /* Django REST framework's words: Method "POST" not allowed. */

    p = ngx_pnalloc(r->pool, r->method_name.len + sizeof("Method \"\" not "
                                                         "allowed."));
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_sprintf(p, "Method \"%V\" not allowed.%Z", &r->method_name);

    return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_ALLOWED, (char *) p);
}


/*
 * Room names as Meet's slugs: lower case letters, digits, '-' and '_',
 * starting with a letter or digit, at most 64.  Upper case is folded (Meet
 * slugifies names).  No '.': /<room> of the web app must never look like
 * a file to the SPA route.  NGX_DECLINED for an invalid name.
 */

ngx_int_t
ngx_meet_api_slug(ngx_http_request_t *r, ngx_str_t *in, ngx_str_t *slug)
{
    u_char      c;
    ngx_uint_t  i;

    if (in->len > NGX_MEET_API_SLUG_MAX) {
        return NGX_DECLINED;
    }

    slug->data = ngx_pnalloc(r->pool, in->len + 1);
    if (slug->data == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < in->len; i++) {
        c = ngx_tolower(in->data[i]);

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
              || (i > 0 && (c == '-' || c == '_'))))
        {
            return NGX_DECLINED;
        }

        slug->data[i] = c;
    }

    slug->data[i] = '\0';
    slug->len = in->len;

    return NGX_OK;
}


/* ?username=: URL-decoded ('+' is a space), UTF-8, no control characters */

ngx_int_t
ngx_meet_api_username(ngx_http_request_t *r, ngx_str_t *name,
    const char **err)
{
    u_char     *src, *dst, *p, *last;
    uint32_t    ch;
    ngx_str_t   arg;
    ngx_uint_t  i;

    ngx_str_null(name);

    if (ngx_http_arg(r, (u_char *) "username", 8, &arg) != NGX_OK
        || arg.len == 0)
    {
        return NGX_OK;
    }

    if (arg.len > 3 * NGX_MEET_API_NAME_MAX) {
        *err = "username: at most 128 bytes";
        return NGX_ERROR;
    }

    src = ngx_pnalloc(r->pool, 2 * arg.len);
    if (src == NULL) {
        *err = "out of memory";
        return NGX_ERROR;
    }

    for (i = 0; i < arg.len; i++) {
        src[i] = (arg.data[i] == '+') ? ' ' : arg.data[i];
    }

    dst = src + arg.len;
    p = dst;
    ngx_unescape_uri(&p, &src, arg.len, 0);

    name->data = dst;
    name->len = p - dst;

    if (name->len > NGX_MEET_API_NAME_MAX) {
        *err = "username: at most 128 bytes";
        return NGX_ERROR;
    }

    p = name->data;
    last = name->data + name->len;

    while (p < last) {
        if (*p < 0x80) {
            if (*p < 0x20 || *p == 0x7f) {
                *err = "username: control characters are not allowed";
                return NGX_ERROR;
            }

            p++;
            continue;
        }

        ch = ngx_utf8_decode(&p, last - p);
        if (ch > 0x10ffff) {
            *err = "username: not valid UTF-8";
            return NGX_ERROR;
        }
    }

    /* surrounding spaces are not part of a name */

    while (name->len && name->data[0] == ' ') {
        name->data++;
        name->len--;
    }

    while (name->len && name->data[name->len - 1] == ' ') {
        name->len--;
    }

    return NGX_OK;
}


/*
 * <scheme>[s]://<host> as the client reached this server (the trusted
 * X-Forwarded-* of a proxy in front of us included)
 */

ngx_int_t
ngx_meet_api_origin(ngx_http_request_t *r, const char *scheme,
    ngx_str_t *url)
{
    ngx_uint_t                  secure;
    ngx_meet_api_main_conf_t   *amcf;
    ngx_http_variable_value_t  *proto, *host;

    amcf = ngx_http_get_module_main_conf(r, ngx_meet_api_module);

    proto = ngx_http_get_indexed_variable(r, amcf->proto_index);
    host = ngx_http_get_indexed_variable(r, amcf->host_index);

    if (proto == NULL || host == NULL || host->not_found || host->len == 0) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "meet api: no host to build the LiveKit url from; "
                      "set meet_api_livekit_url");
        return NGX_ERROR;
    }

    secure = (!proto->not_found && proto->len == 5
              && ngx_strncmp(proto->data, "https", 5) == 0);

    url->data = ngx_pnalloc(r->pool, ngx_strlen(scheme) + sizeof("s://")
                                     + host->len);
    if (url->data == NULL) {
        return NGX_ERROR;
    }

    url->len = ngx_sprintf(url->data, "%s%s://%*s", scheme,
                           secure ? "s" : "", (size_t) host->len, host->data)
               - url->data;

    return NGX_OK;
}


/* a request to the rooms store, as the request's user */

ngx_meet_rooms_req_t *
ngx_meet_api_req(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_op_e op, ngx_str_t *key)
{
    ngx_meet_rooms_req_t  *req;

    req = ngx_pcalloc(r->pool, sizeof(ngx_meet_rooms_req_t));
    if (req == NULL) {
        return NULL;
    }

    req->op = op;

    if (key) {
        req->key = *key;
    }

    if (ctx->session) {
        req->user_id = ctx->session->user_id;
    }

    return req;
}


/*
 * Asks the module for a call to the rooms store: an endpoint returns
 * this; the module makes the call with req and goes on with "next".
 */

ngx_int_t
ngx_meet_api_store(ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_req_t *req,
    ngx_meet_api_step_pt next)
{
    ctx->req = req;
    ctx->next = next;

    return NGX_MEET_API_STORE;
}


/* a store call that needs a key only */

ngx_int_t
ngx_meet_api_call(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_op_e op, ngx_str_t *key, ngx_meet_api_step_pt next)
{
    ngx_meet_rooms_req_t  *req;

    req = ngx_meet_api_req(r, ctx, op, key);
    if (req == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_meet_api_store(ctx, req, next);
}
