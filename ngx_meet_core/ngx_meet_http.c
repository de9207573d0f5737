
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
