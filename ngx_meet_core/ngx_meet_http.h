
/*
 * Copyright (C) ngx_meet authors
 *
 * HTTP helpers shared by the HTTP modules (routing, api, signal).
 */


#ifndef _NGX_MEET_HTTP_H_INCLUDED_
#define _NGX_MEET_HTTP_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <jansson.h>


/*
 * Sends a whole response: status, Content-Type "type", one more header
 * when "header" is not NULL, and the body.  Returns what a content
 * handler returns.
 */
ngx_int_t ngx_meet_http_send(ngx_http_request_t *r, ngx_uint_t status,
    char *type, char *header, char *value, u_char *body, size_t len);

/*
 * Sends "value" as the whole response: status, Content-Type
 * application/json, Cache-Control: no-store.  Returns what a content
 * handler returns.
 */
ngx_int_t ngx_meet_http_send_json(ngx_http_request_t *r, ngx_uint_t status,
    json_t *value);

/* {"detail": "<text>"}, the error shape of Django REST framework */
ngx_int_t ngx_meet_http_send_detail(ngx_http_request_t *r, ngx_uint_t status,
    const char *detail);


#endif /* _NGX_MEET_HTTP_H_INCLUDED_ */
