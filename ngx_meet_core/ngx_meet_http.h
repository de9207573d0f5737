
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

/*
 * Cross-site request forgery: may this request change state for the
 * logged-in browser that sent it?  "origin" is ours ("https://host").
 * NGX_OK when it comes from that origin (its Origin header, else its
 * Referer, names it; for a navigation, NGX_MEET_HTTP_CSRF_NAVIGATION, the
 * browser's Sec-Fetch-Site says same-origin or none, and a request that
 * names no origin at all passes) or carries Django's double submit (an
 * X-CSRFToken header equal to a non-empty csrftoken cookie, as La Suite
 * Meet's frontend sends when the cookie exists).  Else NGX_DECLINED with
 * Django's reason ("CSRF Failed: ...", NUL-terminated) in *reason, or
 * NGX_ERROR.
 */
#define NGX_MEET_HTTP_CSRF_WRITE       0
#define NGX_MEET_HTTP_CSRF_NAVIGATION  1

ngx_int_t ngx_meet_http_csrf_check(ngx_http_request_t *r, ngx_str_t *origin,
    ngx_uint_t mode, ngx_str_t *reason);


#endif /* _NGX_MEET_HTTP_H_INCLUDED_ */
