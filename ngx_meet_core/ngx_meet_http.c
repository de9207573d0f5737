
/*
 * Copyright (C) ngx_meet authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_meet_core.h"
#include "ngx_meet_http.h"


ngx_int_t
ngx_meet_http_send(ngx_http_request_t *r, ngx_uint_t status, char *type,
    char *header, char *value, u_char *body, size_t len)
{
    ngx_int_t         rc;
    ngx_buf_t        *b;
    ngx_chain_t       out;
    ngx_table_elt_t  *h;

    r->headers_out.status = status;
    r->headers_out.content_length_n = len;
    r->headers_out.content_type.data = (u_char *) type;
    r->headers_out.content_type.len = ngx_strlen(type);
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;

    if (header) {
        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        h->hash = 1;
        h->key.data = (u_char *) header;
        h->key.len = ngx_strlen(header);
        h->value.data = (u_char *) value;
        h->value.len = ngx_strlen(value);
    }

    rc = ngx_http_send_header(r);
    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->pos = body;
    b->last = body + len;
    b->memory = len ? 1 : 0;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


ngx_int_t
ngx_meet_http_send_json(ngx_http_request_t *r, ngx_uint_t status,
    json_t *value)
{
    ngx_str_t  body;

    if (ngx_meet_json_dump(r->pool, value, &body) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "meet: cannot serialize a JSON answer");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_meet_http_send(r, status, "application/json",
                              "Cache-Control", "no-store",
                              body.data, body.len);
}


ngx_int_t
ngx_meet_http_send_detail(ngx_http_request_t *r, ngx_uint_t status,
    const char *detail)
{
    json_t     *root;
    ngx_int_t   rc;

    root = json_pack("{ss}", "detail", detail);
    if (root == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_meet_http_send_json(r, status, root);
    json_decref(root);

    return rc;
}


static ngx_int_t ngx_meet_http_csrf_token(ngx_http_request_t *r);
static ngx_uint_t ngx_meet_http_origin_is(ngx_str_t *value,
    ngx_str_t *origin);


ngx_int_t
ngx_meet_http_csrf_check(ngx_http_request_t *r, ngx_str_t *origin,
    ngx_uint_t mode, ngx_str_t *reason)
{
    u_char           *p;
    ngx_str_t        *seen;
    const char       *what;
    ngx_table_elt_t  *h;

    if (ngx_meet_http_csrf_token(r) == NGX_OK) {
        return NGX_OK;
    }

    if (mode == NGX_MEET_HTTP_CSRF_NAVIGATION) {
        h = ngx_meet_header(&r->headers_in.headers, "Sec-Fetch-Site",
                            sizeof("Sec-Fetch-Site") - 1);

        if (h) {
            if ((h->value.len == 11
                 && ngx_strncasecmp(h->value.data, (u_char *) "same-origin",
                                    11) == 0)
                || (h->value.len == 4
                    && ngx_strncasecmp(h->value.data, (u_char *) "none", 4)
                       == 0))
            {
                return NGX_OK;
            }

            seen = &h->value;
            what = "Sec-Fetch-Site is";
            goto failed;
        }
    }

    h = ngx_meet_header(&r->headers_in.headers, "Origin",
                        sizeof("Origin") - 1);

    if (h) {
        if (ngx_meet_http_origin_is(&h->value, origin)) {
            return NGX_OK;
        }

        seen = &h->value;
        what = "Origin checking failed -";
        goto failed;
    }

    h = r->headers_in.referer;

    if (h) {
        if (ngx_meet_http_origin_is(&h->value, origin)) {
            return NGX_OK;
        }

        seen = &h->value;
        what = "Referer checking failed -";
        goto failed;
    }

    if (mode == NGX_MEET_HTTP_CSRF_NAVIGATION) {
        /* no browser that forges requests sends neither */
        return NGX_OK;
    }

    ngx_str_set(reason, "CSRF Failed: CSRF token missing.");
    return NGX_DECLINED;

failed:

    reason->len = sizeof("CSRF Failed:  ") - 1 + ngx_strlen(what)
                  + ngx_min(seen->len, 256)
                  + sizeof(" does not match any trusted origins.") - 1;
    reason->data = ngx_pnalloc(r->pool, reason->len + 1);
    if (reason->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(reason->data, "CSRF Failed: %s %*s does not match any "
                    "trusted origins.", what, ngx_min(seen->len, 256),
                    seen->data);
    *p = '\0';
    reason->len = p - reason->data;

    return NGX_DECLINED;
}


/* "origin" itself, or a URL on it (a Referer): "https://host" + "/..." */

static ngx_uint_t
ngx_meet_http_origin_is(ngx_str_t *value, ngx_str_t *origin)
{
    if (value->len < origin->len
        || ngx_strncasecmp(value->data, origin->data, origin->len) != 0)
    {
        return 0;
    }

    return value->len == origin->len || value->data[origin->len] == '/';
}


/* Django's double submit: the X-CSRFToken header is the csrftoken cookie */

static ngx_int_t
ngx_meet_http_csrf_token(ngx_http_request_t *r)
{
    ngx_str_t         name, cookie;
    ngx_table_elt_t  *h;

    h = ngx_meet_header(&r->headers_in.headers, "X-CSRFToken",
                        sizeof("X-CSRFToken") - 1);
    if (h == NULL || h->value.len == 0) {
        return NGX_DECLINED;
    }

    ngx_str_set(&name, "csrftoken");

    if (ngx_http_parse_multi_header_lines(&r->headers_in.cookies, &name,
                                          &cookie)
        == NGX_DECLINED)
    {
        return NGX_DECLINED;
    }

    if (cookie.len != h->value.len
        || ngx_memcmp(cookie.data, h->value.data, cookie.len) != 0)
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}

