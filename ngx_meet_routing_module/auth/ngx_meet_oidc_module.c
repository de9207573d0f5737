
/*
 * Copyright (C) ngx_meet authors
 *
 * ngx_meet_oidc_module: the OpenID Connect relying party of a Meet
 * deployment, at La Suite Meet's paths under the api route
 * (django-lasuite / mozilla-django-oidc):
 *
 *     GET  /api/v1.0/authenticate/?returnTo=<same-origin URL>
 *     GET  /api/v1.0/callback/?code=...&state=...
 *     GET  /api/v1.0/logout/              RP-initiated logout
 *     GET  /api/v1.0/logout-callback/
 *     POST /api/v1.0/backchannel-logout/  OIDC Back-Channel Logout 1.0
 *
 *     server {
 *         meet_routes { /api/v1.0/ api; ... }
 *         meet_oidc {
 *             issuer         https://id.example.com/realms/meet;
 *             client_id      meet;
 *             client_secret  "...";
 *         }
 *         resolver 127.0.0.53;     # the IdP's names, at run time
 *     }
 *
 * Authorization code flow with PKCE (S256), state and nonce in a signed
 * short-lived cookie (HMAC-SHA-256 with the server secret kept in shared
 * memory), the ID token verified with meet_jose/meet_oidc (RS256/ES256, JWKS
 * by kid, refetched once on an unknown kid).  The IdP is reached through
 * in-memory subrequests to an internal location this directive generates
 * (nginx's proxy module: TLS verified against trusted_certificate,
 * nginx's resolver, timeouts), never by a blocking call.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>
#include "ngx_meet_core.h"
#include "ngx_meet_http.h"
#include "meet_oidc.h"
#include "ngx_meet_session.h"
#include "ngx_meet_oidc.h"


#define NGX_MEET_OIDC_FETCH_URI      "/_meet/oidc"
#define NGX_MEET_OIDC_STATE_COOKIE   "meet_oidc_state"
#define NGX_MEET_OIDC_STATE_TTL      600
#define NGX_MEET_OIDC_DISCOVERY_TTL  3600
#define NGX_MEET_OIDC_JWKS_TTL       86400
#define NGX_MEET_OIDC_LEEWAY         60
#define NGX_MEET_OIDC_MAX_BODY       16384


enum {
    NGX_MEET_OIDC_AUTHENTICATE = 1,
    NGX_MEET_OIDC_CALLBACK,
    NGX_MEET_OIDC_LOGOUT,
    NGX_MEET_OIDC_LOGOUT_CALLBACK,
    NGX_MEET_OIDC_BACKCHANNEL
};


/* steps of a request's exchange with the IdP */
enum {
    NGX_MEET_OIDC_S_DISCOVERY = 0,
    NGX_MEET_OIDC_S_DISCOVERY_GOT,
    NGX_MEET_OIDC_S_AUTH_REDIRECT,
    NGX_MEET_OIDC_S_TOKEN,
    NGX_MEET_OIDC_S_TOKEN_GOT,
    NGX_MEET_OIDC_S_JWKS,
    NGX_MEET_OIDC_S_JWKS_GOT,
    NGX_MEET_OIDC_S_VERIFY,
    NGX_MEET_OIDC_S_WAIT,
    NGX_MEET_OIDC_S_LOGOUT_REDIRECT
};


/* per worker: what the IdP told us */
typedef struct {
    meet_oidc_discovery_t       disc;
    time_t                      disc_at;        /* 0: none */
    meet_jose_jwks_t            jwks;
    time_t                      jwks_at;        /* 0: none */
    time_t                      disc_tried;     /* last fetch started */
    time_t                      jwks_tried;
} ngx_meet_oidc_runtime_t;


typedef struct {
    ngx_str_t                   issuer;         /* NUL-terminated */
    ngx_str_t                   client_id;
    ngx_str_t                   client_secret;
    ngx_str_t                   scope;
    ngx_str_t                   trusted_certificate;
    ngx_str_t                   tls_name;       /* certificate name */
    ngx_str_t                   post_logout_redirect;
    ngx_msec_t                  timeout;
    time_t                      refetch;        /* refetch_interval */
    ngx_str_t                   basic;          /* Authorization value */
    ngx_uint_t                  configured;
    ngx_uint_t                  line;
    ngx_meet_oidc_runtime_t    *rt;
} ngx_meet_oidc_srv_conf_t;


typedef struct {
    ngx_int_t                   proto_index;
    ngx_int_t                   host_index;
} ngx_meet_oidc_main_conf_t;


/* what the fetch location's variables read (ctx of the subrequest) */
typedef struct {
    ngx_str_t                   url;
    ngx_str_t                   method;
    ngx_str_t                   body;
    ngx_str_t                   content_type;
    ngx_str_t                   authorization;
} ngx_meet_oidc_fetch_t;


typedef struct {
    ngx_uint_t                  action;
    ngx_uint_t                  step;
    ngx_uint_t                  after_discovery;
    ngx_str_t                   prefix;          /* the api location */
    ngx_str_t                   origin;          /* https://host */

    ngx_meet_oidc_fetch_t       fetch;
    ngx_uint_t                  fetching;
    ngx_int_t                   fetch_status;
    ngx_str_t                   fetch_body;

    /* callback */
    ngx_str_t                   code;
    ngx_str_t                   state;
    ngx_str_t                   nonce;
    ngx_str_t                   verifier;
    ngx_str_t                   return_to;
    ngx_str_t                   id_token;
    ngx_str_t                   logout_token;
    unsigned                    jwks_refetched:1;
    unsigned                    force_jwks:1;

    ngx_meet_session_t         *session;
} ngx_meet_oidc_ctx_t;


static ngx_int_t ngx_meet_oidc_preconf(ngx_conf_t *cf);
static ngx_int_t ngx_meet_oidc_postconf(ngx_conf_t *cf);
static void *ngx_meet_oidc_create_main_conf(ngx_conf_t *cf);
static void *ngx_meet_oidc_create_srv_conf(ngx_conf_t *cf);
static char *ngx_meet_oidc_merge_srv_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_meet_oidc_block(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_meet_oidc_line(ngx_conf_t *cf, ngx_command_t *dummy,
    void *conf);
static ngx_int_t ngx_meet_oidc_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);

static void ngx_meet_oidc_run(ngx_http_request_t *r);
static void ngx_meet_oidc_resume(ngx_http_request_t *r);
static void ngx_meet_oidc_backchannel_body(ngx_http_request_t *r);
static ngx_int_t ngx_meet_oidc_fetch(ngx_http_request_t *r,
    ngx_meet_oidc_ctx_t *ctx, ngx_uint_t next);
static ngx_int_t ngx_meet_oidc_fetched(ngx_http_request_t *sr, void *data,
    ngx_int_t rc);
static void ngx_meet_oidc_finish(ngx_http_request_t *r, ngx_int_t rc);
static ngx_int_t ngx_meet_oidc_page(ngx_http_request_t *r,
    ngx_uint_t status, const char *title, const char *text);
static ngx_int_t ngx_meet_oidc_unavailable(ngx_http_request_t *r,
    ngx_meet_oidc_ctx_t *ctx);
static ngx_int_t ngx_meet_oidc_redirect(ngx_http_request_t *r,
    ngx_str_t *location);
static ngx_int_t ngx_meet_oidc_authenticate(ngx_http_request_t *r,
    ngx_meet_oidc_ctx_t *ctx);
static ngx_int_t ngx_meet_oidc_callback_check(ngx_http_request_t *r,
    ngx_meet_oidc_ctx_t *ctx);
static ngx_int_t ngx_meet_oidc_token_request(ngx_http_request_t *r,
    ngx_meet_oidc_ctx_t *ctx);
static ngx_int_t ngx_meet_oidc_token_response(ngx_http_request_t *r,
    ngx_meet_oidc_ctx_t *ctx);
static ngx_int_t ngx_meet_oidc_verify(ngx_http_request_t *r,
    ngx_meet_oidc_ctx_t *ctx);
static void ngx_meet_oidc_session_created(ngx_http_request_t *r,
    ngx_meet_session_t *s, ngx_int_t rc);
static void ngx_meet_oidc_logged_out(ngx_http_request_t *r,
    ngx_meet_session_t *s, ngx_int_t rc);
static void ngx_meet_oidc_backchannel_done(ngx_http_request_t *r,
    ngx_meet_session_t *s, ngx_int_t rc);
static ngx_int_t ngx_meet_oidc_logout_redirect(ngx_http_request_t *r,
    ngx_meet_oidc_ctx_t *ctx);
static ngx_int_t ngx_meet_oidc_state_cookie(ngx_http_request_t *r,
    ngx_meet_oidc_ctx_t *ctx);
static ngx_int_t ngx_meet_oidc_origin(ngx_http_request_t *r,
    ngx_meet_oidc_ctx_t *ctx);
static u_char *ngx_meet_oidc_escape(u_char *dst, ngx_str_t *src);
static size_t ngx_meet_oidc_escaped_len(ngx_str_t *src);
static ngx_int_t ngx_meet_oidc_arg(ngx_http_request_t *r, ngx_str_t *args,
    const char *name, ngx_str_t *value);


static ngx_command_t  ngx_meet_oidc_commands[] = {

    { ngx_string("meet_oidc"),
      NGX_HTTP_SRV_CONF|NGX_CONF_BLOCK|NGX_CONF_NOARGS,
      ngx_meet_oidc_block,
      NGX_HTTP_SRV_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_meet_oidc_module_ctx = {
    ngx_meet_oidc_preconf,                 /* preconfiguration */
    ngx_meet_oidc_postconf,                /* postconfiguration */

    ngx_meet_oidc_create_main_conf,        /* create main configuration */
    NULL,                                  /* init main configuration */

    ngx_meet_oidc_create_srv_conf,         /* create server configuration */
    ngx_meet_oidc_merge_srv_conf,          /* merge server configuration */

    NULL,                                  /* create location configuration */
    NULL                                   /* merge location configuration */
};


ngx_module_t  ngx_meet_oidc_module = {
    NGX_MODULE_V1,
    &ngx_meet_oidc_module_ctx,             /* module context */
    ngx_meet_oidc_commands,                /* module directives */
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


static ngx_http_variable_t  ngx_meet_oidc_vars[] = {

    { ngx_string("meet_oidc_url"), NULL, ngx_meet_oidc_variable,
      offsetof(ngx_meet_oidc_fetch_t, url), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("meet_oidc_method"), NULL, ngx_meet_oidc_variable,
      offsetof(ngx_meet_oidc_fetch_t, method), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("meet_oidc_body"), NULL, ngx_meet_oidc_variable,
      offsetof(ngx_meet_oidc_fetch_t, body), NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("meet_oidc_content_type"), NULL, ngx_meet_oidc_variable,
      offsetof(ngx_meet_oidc_fetch_t, content_type),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("meet_oidc_authorization"), NULL, ngx_meet_oidc_variable,
      offsetof(ngx_meet_oidc_fetch_t, authorization),
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


/* configuration */


static ngx_int_t
ngx_meet_oidc_preconf(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_meet_oidc_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


static void *
ngx_meet_oidc_create_main_conf(ngx_conf_t *cf)
{
    return ngx_pcalloc(cf->pool, sizeof(ngx_meet_oidc_main_conf_t));
}


static ngx_int_t
ngx_meet_oidc_postconf(ngx_conf_t *cf)
{
    ngx_str_t                   name;
    ngx_meet_oidc_main_conf_t  *omcf;

    omcf = ngx_http_conf_get_module_main_conf(cf, ngx_meet_oidc_module);

    ngx_str_set(&name, "meet_forwarded_proto");
    omcf->proto_index = ngx_http_get_variable_index(cf, &name);

    ngx_str_set(&name, "meet_forwarded_host");
    omcf->host_index = ngx_http_get_variable_index(cf, &name);

    if (omcf->proto_index == NGX_ERROR || omcf->host_index == NGX_ERROR) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void *
ngx_meet_oidc_create_srv_conf(ngx_conf_t *cf)
{
    ngx_meet_oidc_srv_conf_t  *oscf;

    oscf = ngx_pcalloc(cf->pool, sizeof(ngx_meet_oidc_srv_conf_t));
    if (oscf == NULL) {
        return NULL;
    }

    oscf->timeout = NGX_CONF_UNSET_MSEC;
    oscf->refetch = NGX_CONF_UNSET;

    return oscf;
}


static char *
ngx_meet_oidc_merge_srv_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_meet_oidc_srv_conf_t *conf = child;

    ngx_conf_merge_msec_value(conf->timeout, conf->timeout, 5000);

    return NGX_CONF_OK;
}


static void
ngx_meet_oidc_runtime_cleanup(void *data)
{
    ngx_meet_oidc_runtime_t *rt = data;

    if (rt->disc_at) {
        meet_oidc_discovery_free(&rt->disc);
        rt->disc_at = 0;
    }

    if (rt->jwks_at) {
        meet_jose_jwks_free(&rt->jwks);
        rt->jwks_at = 0;
    }
}


static char *
ngx_meet_oidc_block(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_meet_oidc_srv_conf_t *oscf = conf;

    char                *rv;
    u_char              *p;
    ngx_str_t            text, cred, b64, name;
    ngx_conf_t           save;
    ngx_pool_cleanup_t  *cln;

    static const char  fetch_tpl[] =
        "location = " NGX_MEET_OIDC_FETCH_URI " { internal; "
        "proxy_pass $meet_oidc_url; "
        "proxy_method $meet_oidc_method; "
        "proxy_set_body $meet_oidc_body; "
        "proxy_pass_request_headers off; "
        "proxy_set_header Content-Type $meet_oidc_content_type; "
        "proxy_set_header Authorization $meet_oidc_authorization; "
        "proxy_set_header Accept application/json; "
        "proxy_set_header Accept-Encoding \"\"; "
        "proxy_http_version 1.1; "
        "proxy_set_header Connection \"\"; "
        "proxy_ssl_server_name on; "
        "proxy_ssl_verify on; "
        "proxy_ssl_verify_depth 5; "
        "proxy_ssl_trusted_certificate \"%V\"; %V"
        "proxy_connect_timeout %Mms; proxy_send_timeout %Mms; "
        "proxy_read_timeout %Mms; "
        "proxy_next_upstream off; "
        "proxy_intercept_errors off; "
        "proxy_buffer_size 8k; proxy_buffers 8 8k; "
        "subrequest_output_buffer_size 256k; }";

    if (oscf->configured) {
        return "is duplicate";
    }

    oscf->configured = 1;
    oscf->line = cf->conf_file->line;

    save = *cf;
    cf->handler = ngx_meet_oidc_line;
    cf->handler_conf = conf;

    rv = ngx_conf_parse(cf, NULL);

    *cf = save;

    if (rv != NGX_CONF_OK) {
        return rv;
    }

    if (oscf->issuer.len == 0 || oscf->client_id.len == 0
        || oscf->client_secret.len == 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_oidc: \"issuer\", \"client_id\" and "
                           "\"client_secret\" are required");
        return NGX_CONF_ERROR;
    }

    if (!meet_oidc_url_ok((char *) oscf->issuer.data, oscf->issuer.len,
                          MEET_OIDC_ALLOW_HTTP_LOOPBACK))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_oidc: issuer \"%V\" is not an https URL "
                           "(http is allowed for loopback addresses only)",
                           &oscf->issuer);
        return NGX_CONF_ERROR;
    }

    if (oscf->scope.len == 0) {
        ngx_str_set(&oscf->scope, "openid email profile");
    }

    if (oscf->trusted_certificate.len == 0) {
        ngx_str_set(&oscf->trusted_certificate,
                    "/etc/ssl/certs/ca-certificates.crt");
    }

    if (oscf->post_logout_redirect.len == 0) {
        ngx_str_set(&oscf->post_logout_redirect, "/");
    }

    if (oscf->timeout == NGX_CONF_UNSET_MSEC) {
        oscf->timeout = 5000;
    }

    if (oscf->refetch == NGX_CONF_UNSET) {
        oscf->refetch = 60;
    }

    /* client_secret_basic: base64(urlencode(id) ":" urlencode(secret)) */

    cred.len = ngx_meet_oidc_escaped_len(&oscf->client_id) + 1
               + ngx_meet_oidc_escaped_len(&oscf->client_secret);
    cred.data = ngx_pnalloc(cf->pool, cred.len);
    b64.data = ngx_pnalloc(cf->pool, sizeof("Basic ") - 1
                                     + ngx_base64_encoded_length(cred.len));
    if (cred.data == NULL || b64.data == NULL) {
        return NGX_CONF_ERROR;
    }

    p = ngx_meet_oidc_escape(cred.data, &oscf->client_id);
    *p++ = ':';
    ngx_meet_oidc_escape(p, &oscf->client_secret);

    p = ngx_cpymem(b64.data, "Basic ", sizeof("Basic ") - 1);
    oscf->basic.data = b64.data;
    b64.data = p;
    ngx_encode_base64(&b64, &cred);
    oscf->basic.len = sizeof("Basic ") - 1 + b64.len;

    oscf->rt = ngx_pcalloc(cf->pool, sizeof(ngx_meet_oidc_runtime_t));
    if (oscf->rt == NULL) {
        return NGX_CONF_ERROR;
    }

    /* what a worker learns from the IdP goes with the cycle */

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_meet_oidc_runtime_cleanup;
    cln->data = oscf->rt;

    /* the internal location the IdP is reached through */

    text.data = ngx_pnalloc(cf->temp_pool, sizeof(fetch_tpl)
                            + oscf->trusted_certificate.len
                            + oscf->tls_name.len + 32 + 3 * NGX_INT_T_LEN);
    if (text.data == NULL) {
        return NGX_CONF_ERROR;
    }

    if (oscf->tls_name.len) {
        name.len = sizeof("proxy_ssl_name \"\"; ") - 1 + oscf->tls_name.len;
        name.data = ngx_pnalloc(cf->temp_pool, name.len);
        if (name.data == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_sprintf(name.data, "proxy_ssl_name \"%V\"; ", &oscf->tls_name);

    } else {
        ngx_str_null(&name);
    }

    p = ngx_sprintf(text.data, fetch_tpl, &oscf->trusted_certificate, &name,
                    oscf->timeout, oscf->timeout, oscf->timeout);
    text.len = p - text.data;

    return ngx_meet_conf_parse_text(cf, &text, &cf->conf_file->file.name,
                                    oscf->line);
}


static char *
ngx_meet_oidc_line(ngx_conf_t *cf, ngx_command_t *dummy, void *conf)
{
    ngx_meet_oidc_srv_conf_t *oscf = conf;

    ngx_str_t   *value, *dst;
    ngx_msec_t   ms;

    value = cf->args->elts;

    if (cf->args->nelts != 2) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_oidc: \"%V\" takes one value", &value[0]);
        return NGX_CONF_ERROR;
    }

    if (ngx_strcmp(value[0].data, "issuer") == 0) {
        dst = &oscf->issuer;

        /* no trailing slash: the discovery URL appends one */
        while (value[1].len > 1 && value[1].data[value[1].len - 1] == '/') {
            value[1].len--;
            value[1].data[value[1].len] = '\0';
        }

    } else if (ngx_strcmp(value[0].data, "client_id") == 0) {
        dst = &oscf->client_id;

    } else if (ngx_strcmp(value[0].data, "client_secret") == 0) {
        dst = &oscf->client_secret;

    } else if (ngx_strcmp(value[0].data, "scope") == 0) {
        dst = &oscf->scope;

    } else if (ngx_strcmp(value[0].data, "trusted_certificate") == 0) {
        dst = &oscf->trusted_certificate;

    } else if (ngx_strcmp(value[0].data, "tls_name") == 0) {
        dst = &oscf->tls_name;

    } else if (ngx_strcmp(value[0].data, "post_logout_redirect") == 0) {
        if (!meet_oidc_return_url_ok(value[1].data, value[1].len)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "meet_oidc: post_logout_redirect \"%V\" must "
                               "be a path on this site", &value[1]);
            return NGX_CONF_ERROR;
        }

        dst = &oscf->post_logout_redirect;

    } else if (ngx_strcmp(value[0].data, "timeout") == 0) {
        ms = ngx_parse_time(&value[1], 0);
        if (ms == (ngx_msec_t) NGX_ERROR || ms == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "meet_oidc: bad timeout \"%V\"", &value[1]);
            return NGX_CONF_ERROR;
        }

        oscf->timeout = ms;
        return NGX_CONF_OK;

    } else if (ngx_strcmp(value[0].data, "refetch_interval") == 0) {
        oscf->refetch = ngx_parse_time(&value[1], 1);
        if (oscf->refetch == (time_t) NGX_ERROR) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "meet_oidc: bad refetch_interval \"%V\"",
                               &value[1]);
            return NGX_CONF_ERROR;
        }

        return NGX_CONF_OK;

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_oidc: unknown parameter \"%V\" (issuer, "
                           "client_id, client_secret, scope, "
                           "trusted_certificate, tls_name, "
                           "post_logout_redirect, "
                           "timeout, refetch_interval)", &value[0]);
        return NGX_CONF_ERROR;
    }

    if (dst->data) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_oidc: \"%V\" is duplicate", &value[0]);
        return NGX_CONF_ERROR;
    }

    if (value[1].len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_oidc: \"%V\" is empty", &value[0]);
        return NGX_CONF_ERROR;
    }

    *dst = value[1];

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_meet_oidc_variable(ngx_http_request_t *r, ngx_http_variable_value_t *v,
    uintptr_t data)
{
    ngx_str_t              *s;
    ngx_meet_oidc_fetch_t  *f;

    f = ngx_http_get_module_ctx(r, ngx_meet_oidc_module);

    if (f == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    s = (ngx_str_t *) ((u_char *) f + data);

    v->data = s->data;
    v->len = s->len;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;

    return NGX_OK;
}


/* small helpers */


static size_t
ngx_meet_oidc_escaped_len(ngx_str_t *src)
{
    size_t  i, n;

    n = 0;

    for (i = 0; i < src->len; i++) {
        n += (isalnum(src->data[i]) || ngx_strchr("-._~", src->data[i]))
             && src->data[i] ? 1 : 3;
    }

    return n;
}


/* percent-encodes all but RFC 3986 unreserved characters */

static u_char *
ngx_meet_oidc_escape(u_char *dst, ngx_str_t *src)
{
    u_char      c;
    size_t      i;
    static u_char  hex[] = "0123456789ABCDEF";

    for (i = 0; i < src->len; i++) {
        c = src->data[i];

        if (c && (isalnum(c) || ngx_strchr("-._~", c))) {
            *dst++ = c;

        } else {
            *dst++ = '%';
            *dst++ = hex[c >> 4];
            *dst++ = hex[c & 0xf];
        }
    }

    return dst;
}


/* the unescaped value of argument "name" of args; NGX_DECLINED: absent */

static ngx_int_t
ngx_meet_oidc_arg(ngx_http_request_t *r, ngx_str_t *args, const char *name,
    ngx_str_t *value)
{
    u_char     *p, *last, *dst, *src;
    size_t      len;
    ngx_str_t   raw;

    len = ngx_strlen(name);
    p = args->data;
    last = args->data + args->len;

    for ( /* void */ ; p < last; p++) {

        if ((p == args->data || p[-1] == '&')
            && (size_t) (last - p) > len
            && ngx_strncmp(p, name, len) == 0 && p[len] == '=')
        {
            raw.data = p + len + 1;
            p = ngx_strlchr(raw.data, last, '&');
            raw.len = (p ? p : last) - raw.data;

            dst = ngx_pnalloc(r->pool, raw.len + 1);
            if (dst == NULL) {
                return NGX_ERROR;
            }

            value->data = dst;

            for (src = raw.data; src < raw.data + raw.len; src++) {
                if (*src == '+') {
                    *src = ' ';
                }
            }

            src = raw.data;
            ngx_unescape_uri(&dst, &src, raw.len, 0);
            value->len = dst - value->data;

            /* no NUL inside: values become C strings */
            if (ngx_strlchr(value->data, dst, '\0')) {
                return NGX_DECLINED;
            }

            *dst = '\0';

            return NGX_OK;
        }
    }

    return NGX_DECLINED;
}


static ngx_int_t
ngx_meet_oidc_origin(ngx_http_request_t *r, ngx_meet_oidc_ctx_t *ctx)
{
    u_char                     *p;
    ngx_http_variable_value_t  *proto, *host;
    ngx_meet_oidc_main_conf_t  *omcf;

    omcf = ngx_http_get_module_main_conf(r, ngx_meet_oidc_module);

    proto = ngx_http_get_indexed_variable(r, omcf->proto_index);
    host = ngx_http_get_indexed_variable(r, omcf->host_index);

    if (proto == NULL || host == NULL || proto->not_found || host->not_found
        || host->len == 0)
    {
        return NGX_ERROR;
    }

    ctx->origin.len = proto->len + sizeof("://") - 1 + host->len;
    ctx->origin.data = ngx_pnalloc(r->pool, ctx->origin.len);
    if (ctx->origin.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(ctx->origin.data, proto->data, proto->len);
    p = ngx_cpymem(p, "://", 3);
    ngx_memcpy(p, host->data, host->len);

    return NGX_OK;
}


static ngx_int_t
ngx_meet_oidc_add_header(ngx_http_request_t *r, const char *name,
    ngx_str_t *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key.data = (u_char *) name;
    h->key.len = ngx_strlen(name);
    h->value = *value;

    return NGX_OK;
}


static ngx_int_t
ngx_meet_oidc_redirect(ngx_http_request_t *r, ngx_str_t *location)
{
    ngx_str_t  cc;

    ngx_str_set(&cc, "no-store");

    if (ngx_meet_oidc_add_header(r, "Location", location) != NGX_OK
        || ngx_meet_oidc_add_header(r, "Cache-Control", &cc) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_meet_http_send(r, NGX_HTTP_MOVED_TEMPORARILY,
                              "text/plain; charset=utf-8", NULL, NULL,
                              (u_char *) "", 0);
}


/*
 * The IdP (its discovery document or its keys) cannot be had now: a page
 * for a person, DRF's shape for the IdP's own back-channel request.
 */

static ngx_int_t
ngx_meet_oidc_unavailable(ngx_http_request_t *r, ngx_meet_oidc_ctx_t *ctx)
{
    if (ctx->action == NGX_MEET_OIDC_BACKCHANNEL) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_BAD_GATEWAY,
                   "The identity provider or its keys are unavailable.");
    }

    return ngx_meet_oidc_page(r, NGX_HTTP_BAD_GATEWAY, "Login is unavailable",
                              "The identity provider could not be reached. "
                              "Please try again in a few minutes.");
}


/* a short HTML page a person reads; the reason is in the error log */

static ngx_int_t
ngx_meet_oidc_page(ngx_http_request_t *r, ngx_uint_t status,
    const char *title, const char *text)
{
    u_char  *p, *body;
    size_t   len;

    static const char  tpl[] =
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width\">"
        "<title>%s</title></head><body style=\"font-family:sans-serif;"
        "max-width:40em;margin:4em auto;padding:0 1em\">"
        "<h1>%s</h1><p>%s</p><p><a href=\"/\">Back to the home page</a>"
        "</p></body></html>\n";

    len = sizeof(tpl) + 2 * ngx_strlen(title) + ngx_strlen(text);

    body = ngx_pnalloc(r->pool, len);
    if (body == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_sprintf(body, tpl, title, title, text);

    return ngx_meet_http_send(r, status, "text/html; charset=utf-8",
                              "Cache-Control", "no-store", body, p - body);
}


/* the request side */


ngx_uint_t
ngx_meet_oidc_enabled(ngx_http_request_t *r)
{
    ngx_meet_oidc_srv_conf_t  *oscf;

    oscf = ngx_http_get_module_srv_conf(r, ngx_meet_oidc_module);

    return oscf->configured;
}


ngx_int_t
ngx_meet_oidc_handle(ngx_http_request_t *r, ngx_str_t *path)
{
    ngx_int_t                  rc;
    ngx_str_t                  reason;
    ngx_uint_t                 action;
    ngx_meet_oidc_ctx_t       *ctx;
    ngx_http_core_loc_conf_t  *clcf;
    ngx_meet_oidc_srv_conf_t  *oscf;

#define ngx_meet_oidc_path(s)                                                 \
    ((path->len == sizeof(s) - 1 || path->len == sizeof(s) - 2)               \
     && ngx_strncmp(path->data, s, path->len) == 0)

    if (ngx_meet_oidc_path("authenticate/")) {
        action = NGX_MEET_OIDC_AUTHENTICATE;

    } else if (ngx_meet_oidc_path("callback/")) {
        action = NGX_MEET_OIDC_CALLBACK;

    } else if (ngx_meet_oidc_path("logout/")) {
        action = NGX_MEET_OIDC_LOGOUT;

    } else if (ngx_meet_oidc_path("logout-callback/")) {
        action = NGX_MEET_OIDC_LOGOUT_CALLBACK;

    } else if (ngx_meet_oidc_path("backchannel-logout/")) {
        action = NGX_MEET_OIDC_BACKCHANNEL;

    } else {
        return NGX_DECLINED;
    }

#undef ngx_meet_oidc_path

    oscf = ngx_http_get_module_srv_conf(r, ngx_meet_oidc_module);

    if (!oscf->configured) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet oidc: login requested, but this server has no "
                      "meet_oidc block");
        return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND,
                                         "Login is not configured on this "
                                         "server.");
    }

    if (action == NGX_MEET_OIDC_BACKCHANNEL) {
        if (r->method != NGX_HTTP_POST) {
            return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_ALLOWED,
                                             "Method not allowed: POST a "
                                             "logout_token.");
        }

    } else if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_ALLOWED,
                                         "Method not allowed.");
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_meet_oidc_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->action = action;
    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);
    ctx->prefix = clcf->name;

    ngx_http_set_ctx(r, ctx, ngx_meet_oidc_module);

    if (ngx_meet_oidc_origin(r, ctx) != NGX_OK) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_BAD_REQUEST,
                                         "No Host in the request.");
    }

    if (action == NGX_MEET_OIDC_BACKCHANNEL) {
        r->request_body_in_single_buf = 1;

        rc = ngx_http_read_client_request_body(r,
                                          ngx_meet_oidc_backchannel_body);
        if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
            return rc;
        }

        return NGX_DONE;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    switch (action) {

    case NGX_MEET_OIDC_AUTHENTICATE:
        ctx->after_discovery = NGX_MEET_OIDC_S_AUTH_REDIRECT;

        /* the return URL is checked before anything else happens */
        rc = ngx_meet_oidc_authenticate(r, ctx);
        if (rc != NGX_DECLINED) {
            return rc;
        }

        break;

    case NGX_MEET_OIDC_CALLBACK:
        rc = ngx_meet_oidc_callback_check(r, ctx);
        if (rc != NGX_DECLINED) {
            return rc;
        }

        ctx->after_discovery = NGX_MEET_OIDC_S_TOKEN;
        break;

    case NGX_MEET_OIDC_LOGOUT:
        /* a link on another site must not end the session */
        rc = ngx_meet_http_csrf_check(r, &ctx->origin,
                                      NGX_MEET_HTTP_CSRF_NAVIGATION, &reason);
        if (rc == NGX_ERROR) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (rc == NGX_DECLINED) {
            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "meet oidc: logout refused: %V", &reason);
            return ngx_meet_http_send_detail(r, NGX_HTTP_FORBIDDEN,
                                             (char *) reason.data);
        }

        r->main->count++;

        if (ngx_meet_session_logout(r, ngx_meet_oidc_logged_out) != NGX_OK) {
            r->main->count--;
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return NGX_DONE;

    default: /* NGX_MEET_OIDC_LOGOUT_CALLBACK */
        return ngx_meet_oidc_redirect(r, &oscf->post_logout_redirect);
    }

    r->main->count++;
    ctx->step = NGX_MEET_OIDC_S_DISCOVERY;
    ngx_meet_oidc_run(r);

    return NGX_DONE;
}


static void
ngx_meet_oidc_finish(ngx_http_request_t *r, ngx_int_t rc)
{
    ngx_http_finalize_request(r, rc);
}


static void
ngx_meet_oidc_resume(ngx_http_request_t *r)
{
    ngx_meet_oidc_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_meet_oidc_module);

    if (ctx == NULL || ctx->fetching) {
        return;
    }

    r->write_event_handler = ngx_http_request_empty_handler;

    ngx_meet_oidc_run(r);
}


/*
 * The exchange: runs steps until one waits for the IdP (a subrequest, or
 * the session store) or the answer is sent.
 */

static void
ngx_meet_oidc_run(ngx_http_request_t *r)
{
    time_t                     now;
    ngx_int_t                  rc;
    ngx_str_t                  url;
    meet_jose_err_e            err;
    ngx_meet_oidc_ctx_t       *ctx;
    meet_oidc_discovery_t      disc;
    meet_jose_jwks_t          *jwks;
    ngx_meet_oidc_runtime_t   *rt;
    ngx_meet_oidc_srv_conf_t  *oscf;

    ctx = ngx_http_get_module_ctx(r, ngx_meet_oidc_module);
    oscf = ngx_http_get_module_srv_conf(r, ngx_meet_oidc_module);
    rt = oscf->rt;
    now = ngx_time();

    for ( ;; ) {

        switch (ctx->step) {

        case NGX_MEET_OIDC_S_DISCOVERY:
            if (rt->disc_at && now - rt->disc_at < NGX_MEET_OIDC_DISCOVERY_TTL)
            {
                ctx->step = ctx->after_discovery;
                continue;
            }

            /*
             * At most one fetch per refetch_interval: the back-channel
             * path is open to anyone, a flood of it must not become one
             * of ours to the IdP (while it is down, or ever).
             */
            if (rt->disc_tried && now - rt->disc_tried < oscf->refetch) {
                if (rt->disc_at) {
                    ctx->step = ctx->after_discovery;
                    continue;
                }

                ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                              "meet oidc: discovery of \"%V\" failed %T s "
                              "ago, not retried before refetch_interval "
                              "(%T s)", &oscf->issuer, now - rt->disc_tried,
                              oscf->refetch);
                ngx_meet_oidc_finish(r, ngx_meet_oidc_unavailable(r, ctx));
                return;
            }

            rt->disc_tried = now;

            url.len = oscf->issuer.len
                      + sizeof("/.well-known/openid-configuration") - 1;
            url.data = ngx_pnalloc(r->pool, url.len);
            if (url.data == NULL) {
                ngx_meet_oidc_finish(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
                return;
            }

            ngx_sprintf(url.data, "%V/.well-known/openid-configuration",
                        &oscf->issuer);

            ctx->fetch.url = url;
            ngx_str_set(&ctx->fetch.method, "GET");
            ngx_str_null(&ctx->fetch.body);
            ngx_str_null(&ctx->fetch.content_type);
            ngx_str_null(&ctx->fetch.authorization);

            rc = ngx_meet_oidc_fetch(r, ctx, NGX_MEET_OIDC_S_DISCOVERY_GOT);
            if (rc != NGX_OK) {
                ngx_meet_oidc_finish(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            }

            return;

        case NGX_MEET_OIDC_S_DISCOVERY_GOT:
            err = MEET_JOSE_ERR_DOCUMENT;

            if (ctx->fetch_status == NGX_HTTP_OK) {
                ngx_memzero(&disc, sizeof(disc));
                err = meet_oidc_discovery_parse(ctx->fetch_body.data,
                                                ctx->fetch_body.len,
                                                (char *) oscf->issuer.data,
                                                MEET_OIDC_ALLOW_HTTP_LOOPBACK,
                                                &disc);
                if (err == MEET_JOSE_OK) {
                    if (rt->disc_at) {
                        meet_oidc_discovery_free(&rt->disc);
                    }

                    rt->disc = disc;
                    rt->disc_at = now;
                    ctx->step = ctx->after_discovery;
                    continue;
                }

                ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                              "meet oidc: discovery document of \"%V\" "
                              "refused: %s", &oscf->issuer,
                              meet_jose_strerror(err));

            } else {
                ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                              "meet oidc: discovery of \"%V\" failed: "
                              "HTTP %i (the IdP is unreachable or "
                              "refused; see the lines above)",
                              &oscf->issuer, ctx->fetch_status);
            }

            if (rt->disc_at) {
                /* the IdP is down: what we knew stays good for a while */
                ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                              "meet oidc: using the discovery document of "
                              "%T s ago", now - rt->disc_at);
                ctx->step = ctx->after_discovery;
                continue;
            }

            ngx_meet_oidc_finish(r, ngx_meet_oidc_unavailable(r, ctx));
            return;

        case NGX_MEET_OIDC_S_AUTH_REDIRECT:
            ngx_meet_oidc_finish(r, ngx_meet_oidc_state_cookie(r, ctx));
            return;

        case NGX_MEET_OIDC_S_TOKEN:
            rc = ngx_meet_oidc_token_request(r, ctx);
            if (rc != NGX_OK) {
                ngx_meet_oidc_finish(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            }

            return;

        case NGX_MEET_OIDC_S_TOKEN_GOT:
            rc = ngx_meet_oidc_token_response(r, ctx);
            if (rc != NGX_DECLINED) {
                ngx_meet_oidc_finish(r, rc);
                return;
            }

            ctx->step = NGX_MEET_OIDC_S_JWKS;
            continue;

        case NGX_MEET_OIDC_S_JWKS:
            if (rt->jwks_at && !ctx->force_jwks
                && now - rt->jwks_at < NGX_MEET_OIDC_JWKS_TTL)
            {
                ctx->step = NGX_MEET_OIDC_S_VERIFY;
                continue;
            }

            /* an unknown kid, or no keys: one fetch per refetch_interval */
            if (rt->jwks_tried && now - rt->jwks_tried < oscf->refetch) {
                if (rt->jwks_at) {
                    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                                  "meet oidc: JWKS of \"%V\" fetched %T s "
                                  "ago, not again before refetch_interval "
                                  "(%T s)", &oscf->issuer,
                                  now - rt->jwks_tried, oscf->refetch);
                    ctx->force_jwks = 0;
                    ctx->step = NGX_MEET_OIDC_S_VERIFY;
                    continue;
                }

                ngx_meet_oidc_finish(r, ngx_meet_oidc_unavailable(r, ctx));
                return;
            }

            rt->jwks_tried = now;
            ctx->force_jwks = 0;
            ctx->fetch.url.data = (u_char *) rt->disc.jwks_uri.data;
            ctx->fetch.url.len = rt->disc.jwks_uri.len;
            ngx_str_set(&ctx->fetch.method, "GET");
            ngx_str_null(&ctx->fetch.body);
            ngx_str_null(&ctx->fetch.content_type);
            ngx_str_null(&ctx->fetch.authorization);

            rc = ngx_meet_oidc_fetch(r, ctx, NGX_MEET_OIDC_S_JWKS_GOT);
            if (rc != NGX_OK) {
                ngx_meet_oidc_finish(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            }

            return;

        case NGX_MEET_OIDC_S_JWKS_GOT:
            if (ctx->fetch_status == NGX_HTTP_OK) {
                jwks = ngx_alloc(sizeof(meet_jose_jwks_t), r->connection->log);
                if (jwks == NULL) {
                    ngx_meet_oidc_finish(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
                    return;
                }

                ngx_memzero(jwks, sizeof(meet_jose_jwks_t));

                err = meet_jose_jwks_parse(ctx->fetch_body.data,
                                           ctx->fetch_body.len, jwks);
                if (err == MEET_JOSE_OK) {
                    if (rt->jwks_at) {
                        meet_jose_jwks_free(&rt->jwks);
                    }

                    rt->jwks = *jwks;
                    rt->jwks_at = now;
                    ngx_free(jwks);

                    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                                  "meet oidc: JWKS of \"%V\" fetched, %uz "
                                  "usable key(s)", &oscf->issuer,
                                  rt->jwks.nkeys);

                    ctx->step = NGX_MEET_OIDC_S_VERIFY;
                    continue;
                }

                ngx_free(jwks);

                ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                              "meet oidc: JWKS of \"%V\" refused: %s",
                              &oscf->issuer, meet_jose_strerror(err));

            } else {
                ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                              "meet oidc: JWKS fetch from \"%V\" failed: "
                              "HTTP %i",
                              ngx_meet_log_cesc(rt->disc.jwks_uri.data),
                              ctx->fetch_status);
            }

            if (rt->jwks_at) {
                ctx->step = NGX_MEET_OIDC_S_VERIFY;
                ctx->jwks_refetched = 1;
                continue;
            }

            ngx_meet_oidc_finish(r, ngx_meet_oidc_unavailable(r, ctx));
            return;

        case NGX_MEET_OIDC_S_VERIFY:
            rc = ngx_meet_oidc_verify(r, ctx);

            if (rc == NGX_DONE) {
                /* the session store has it: r may be gone already */
                return;
            }

            if (ctx->step == NGX_MEET_OIDC_S_JWKS) {
                /* unknown kid: the keys once more */
                continue;
            }

            if (ctx->step != NGX_MEET_OIDC_S_WAIT) {
                ngx_meet_oidc_finish(r, rc);
            }

            return;

        case NGX_MEET_OIDC_S_LOGOUT_REDIRECT:
            ngx_meet_oidc_finish(r, ngx_meet_oidc_logout_redirect(r, ctx));
            return;

        default: /* NGX_MEET_OIDC_S_WAIT */
            return;
        }
    }
}


static ngx_int_t
ngx_meet_oidc_fetch(ngx_http_request_t *r, ngx_meet_oidc_ctx_t *ctx,
    ngx_uint_t next)
{
    ngx_str_t                    uri;
    ngx_http_request_t          *sr;
    ngx_meet_oidc_fetch_t       *f;
    ngx_http_post_subrequest_t  *ps;

    ps = ngx_palloc(r->pool, sizeof(ngx_http_post_subrequest_t));
    f = ngx_palloc(r->pool, sizeof(ngx_meet_oidc_fetch_t));
    if (ps == NULL || f == NULL) {
        return NGX_ERROR;
    }

    *f = ctx->fetch;

    ps->handler = ngx_meet_oidc_fetched;
    ps->data = ctx;

    ngx_str_set(&uri, NGX_MEET_OIDC_FETCH_URI);

    ctx->step = next;
    ctx->fetching = 1;
    ctx->fetch_status = 0;
    ngx_str_null(&ctx->fetch_body);

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "meet oidc: %V %V", &f->method, &f->url);

    if (ngx_http_subrequest(r, &uri, NULL, &sr, ps,
                            NGX_HTTP_SUBREQUEST_IN_MEMORY
                            |NGX_HTTP_SUBREQUEST_WAITED)
        != NGX_OK)
    {
        ctx->fetching = 0;
        return NGX_ERROR;
    }

    ngx_http_set_ctx(sr, f, ngx_meet_oidc_module);

    return NGX_OK;
}


static ngx_int_t
ngx_meet_oidc_fetched(ngx_http_request_t *sr, void *data, ngx_int_t rc)
{
    ngx_meet_oidc_ctx_t *ctx = data;

    ngx_buf_t  *b;

    ctx->fetching = 0;

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE || rc == NGX_ERROR) {
        ctx->fetch_status = rc == NGX_ERROR ? NGX_HTTP_BAD_GATEWAY : rc;

    } else {
        ctx->fetch_status = sr->headers_out.status;
    }

    if (sr->out && sr->out->buf) {
        b = sr->out->buf;
        ctx->fetch_body.data = b->pos;
        ctx->fetch_body.len = b->last - b->pos;
    }

    sr->parent->write_event_handler = ngx_meet_oidc_resume;

    return rc;
}


/*
 * authenticate: check the return URL now, redirect after discovery.
 * NGX_DECLINED: go on; else the error answer was sent (its rc).
 */

static ngx_int_t
ngx_meet_oidc_authenticate(ngx_http_request_t *r, ngx_meet_oidc_ctx_t *ctx)
{
    ngx_str_t  to;

    if (ngx_meet_oidc_arg(r, &r->args, "returnTo", &to) != NGX_OK
        && ngx_meet_oidc_arg(r, &r->args, "next", &to) != NGX_OK)
    {
        ngx_str_set(&to, "/");
    }

    /* an absolute URL of this very site becomes its path */

    if (to.len > ctx->origin.len
        && ngx_strncasecmp(to.data, ctx->origin.data, ctx->origin.len) == 0
        && to.data[ctx->origin.len] == '/')
    {
        to.data += ctx->origin.len;
        to.len -= ctx->origin.len;
    }

    if (!meet_oidc_return_url_ok(to.data, to.len)) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "meet oidc: login refused: return URL \"%V\" is not "
                      "a path on this site (open redirect attempt?)",
                      ngx_meet_log_esc(&to));
        return ngx_meet_oidc_page(r, NGX_HTTP_BAD_REQUEST,
                                  "Login refused",
                                  "The page to return to after the login "
                                  "is not on this site.");
    }

    ctx->return_to = to;

    return NGX_DECLINED;
}


/* HMAC-SHA-256 of data with the server secret, base64url */

static ngx_int_t
ngx_meet_oidc_mac(ngx_http_request_t *r, ngx_str_t *data, ngx_str_t *out)
{
    u_char        md[EVP_MAX_MD_SIZE];
    unsigned int  mdlen;
    ngx_str_t     src;

    if (HMAC(EVP_sha256(), ngx_meet_session_secret(r), 32, data->data,
             data->len, md, &mdlen)
        == NULL)
    {
        return NGX_ERROR;
    }

    out->data = ngx_pnalloc(r->pool, ngx_base64_encoded_length(mdlen));
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    src.data = md;
    src.len = mdlen;
    ngx_encode_base64url(out, &src);

    return NGX_OK;
}


static ngx_int_t
ngx_meet_oidc_state_cookie(ngx_http_request_t *r, ngx_meet_oidc_ctx_t *ctx)
{
    char                       state[MEET_OIDC_RANDOM_LEN + 1];
    char                       nonce[MEET_OIDC_RANDOM_LEN + 1];
    char                       verifier[MEET_OIDC_RANDOM_LEN + 1];
    char                       challenge[MEET_OIDC_CHALLENGE_LEN + 1];
    u_char                    *p, sep;
    json_t                    *o;
    ngx_str_t                  payload, enc, mac, cookie, loc, s, cb;
    ngx_meet_oidc_srv_conf_t  *oscf;
    ngx_meet_oidc_runtime_t   *rt;

    oscf = ngx_http_get_module_srv_conf(r, ngx_meet_oidc_module);
    rt = oscf->rt;

    if (meet_oidc_random(state) != MEET_JOSE_OK
        || meet_oidc_random(nonce) != MEET_JOSE_OK
        || meet_oidc_pkce_verifier(verifier, MEET_OIDC_RANDOM_LEN)
           != MEET_JOSE_OK
        || meet_oidc_pkce_challenge(verifier, MEET_OIDC_RANDOM_LEN, challenge)
           != MEET_JOSE_OK)
    {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "meet oidc: random state generation failed");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    o = json_pack("{s:s,s:s,s:s,s:s%,s:I}", "s", state, "n", nonce,
                  "v", verifier, "r", ctx->return_to.data,
                  ctx->return_to.len,
                  "e", (json_int_t) (ngx_time() + NGX_MEET_OIDC_STATE_TTL));
    if (o == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_meet_json_dump(r->pool, o, &payload) != NGX_OK) {
        json_decref(o);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    json_decref(o);

    enc.data = ngx_pnalloc(r->pool, ngx_base64_encoded_length(payload.len));
    if (enc.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_encode_base64url(&enc, &payload);

    if (ngx_meet_oidc_mac(r, &enc, &mac) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cookie.len = sizeof(NGX_MEET_OIDC_STATE_COOKIE "=.; Path=; Max-Age=; "
                        "HttpOnly; Secure; SameSite=Lax") + enc.len + mac.len
                 + ctx->prefix.len + sizeof("callback/") + NGX_TIME_T_LEN;
    cookie.data = ngx_pnalloc(r->pool, cookie.len);
    if (cookie.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_sprintf(cookie.data, NGX_MEET_OIDC_STATE_COOKIE "=%V.%V; "
                    "Path=%Vcallback/; Max-Age=%d; HttpOnly; Secure; "
                    "SameSite=Lax", &enc, &mac, &ctx->prefix,
                    NGX_MEET_OIDC_STATE_TTL);
    cookie.len = p - cookie.data;

    /* the authorization request */

    cb.len = ctx->origin.len + ctx->prefix.len + sizeof("callback/") - 1;
    cb.data = ngx_pnalloc(r->pool, cb.len);
    if (cb.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_sprintf(cb.data, "%V%Vcallback/", &ctx->origin, &ctx->prefix);

    loc.len = rt->disc.authorization_endpoint.len
              + sizeof("?response_type=code&client_id=&redirect_uri=&scope="
                       "&state=&nonce=&code_challenge="
                       "&code_challenge_method=S256")
              + ngx_meet_oidc_escaped_len(&oscf->client_id)
              + ngx_meet_oidc_escaped_len(&cb)
              + ngx_meet_oidc_escaped_len(&oscf->scope)
              + 3 * MEET_OIDC_RANDOM_LEN + MEET_OIDC_CHALLENGE_LEN;
    loc.data = ngx_pnalloc(r->pool, loc.len);
    if (loc.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_cpymem(loc.data, rt->disc.authorization_endpoint.data,
                   rt->disc.authorization_endpoint.len);
    sep = ngx_strlchr(loc.data, p, '?') ? '&' : '?';
    *p++ = sep;
    p = ngx_cpymem(p, "response_type=code&client_id=",
                   sizeof("response_type=code&client_id=") - 1);
    p = ngx_meet_oidc_escape(p, &oscf->client_id);
    p = ngx_cpymem(p, "&redirect_uri=", sizeof("&redirect_uri=") - 1);
    p = ngx_meet_oidc_escape(p, &cb);
    p = ngx_cpymem(p, "&scope=", sizeof("&scope=") - 1);
    p = ngx_meet_oidc_escape(p, &oscf->scope);
    p = ngx_sprintf(p, "&state=%s&nonce=%s&code_challenge=%s"
                    "&code_challenge_method=S256", state, nonce, challenge);
    loc.len = p - loc.data;

    s.data = cookie.data;
    s.len = cookie.len;

    if (ngx_meet_oidc_add_header(r, "Set-Cookie", &s) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "meet oidc: login started, back to \"%V\" afterwards",
                  ngx_meet_log_esc(&ctx->return_to));

    return ngx_meet_oidc_redirect(r, &loc);
}


/* the state cookie clears itself at the callback, whatever happens */

static ngx_int_t
ngx_meet_oidc_clear_state(ngx_http_request_t *r, ngx_meet_oidc_ctx_t *ctx)
{
    u_char     *p;
    ngx_str_t   v;

    v.data = ngx_pnalloc(r->pool, sizeof(NGX_MEET_OIDC_STATE_COOKIE
                                         "=; Path=callback/; Max-Age=0; "
                                         "HttpOnly; Secure; SameSite=Lax")
                                  + ctx->prefix.len);
    if (v.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(v.data, NGX_MEET_OIDC_STATE_COOKIE "=; Path=%Vcallback/; "
                    "Max-Age=0; HttpOnly; Secure; SameSite=Lax",
                    &ctx->prefix);
    v.len = p - v.data;

    return ngx_meet_oidc_add_header(r, "Set-Cookie", &v);
}


static ngx_int_t
ngx_meet_oidc_callback_check(ngx_http_request_t *r, ngx_meet_oidc_ctx_t *ctx)
{
    u_char        *dot;
    json_t        *o;
    ngx_str_t      name, value, enc, mac, want, dec, error;
    const char    *why;

    if (ngx_meet_oidc_clear_state(r, ctx) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_str_set(&name, NGX_MEET_OIDC_STATE_COOKIE);

    why = NULL;
    o = NULL;

    if (ngx_http_parse_multi_header_lines(&r->headers_in.cookies, &name,
                                          &value)
        == NGX_DECLINED)
    {
        why = "no login state cookie (login not started here, expired, "
              "or already used)";
        goto refused;
    }

    dot = ngx_strlchr(value.data, value.data + value.len, '.');
    if (dot == NULL) {
        why = "malformed login state cookie";
        goto refused;
    }

    enc.data = value.data;
    enc.len = dot - value.data;
    mac.data = dot + 1;
    mac.len = value.data + value.len - mac.data;

    if (ngx_meet_oidc_mac(r, &enc, &want) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (mac.len != want.len
        || CRYPTO_memcmp(mac.data, want.data, mac.len) != 0)
    {
        why = "login state cookie with a bad signature (forged?)";
        goto refused;
    }

    dec.data = ngx_pnalloc(r->pool, ngx_base64_decoded_length(enc.len) + 1);
    if (dec.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_decode_base64url(&dec, &enc) != NGX_OK) {
        why = "malformed login state cookie";
        goto refused;
    }

    o = json_loadb((char *) dec.data, dec.len, 0, NULL);

    if (o == NULL
        || ngx_meet_json_string(r->pool, o, "s", &ctx->state) != NGX_OK
        || ngx_meet_json_string(r->pool, o, "n", &ctx->nonce) != NGX_OK
        || ngx_meet_json_string(r->pool, o, "v", &ctx->verifier) != NGX_OK
        || ngx_meet_json_string(r->pool, o, "r", &ctx->return_to)
           != NGX_OK
        || !json_is_integer(json_object_get(o, "e")))
    {
        why = "unreadable login state cookie";
        goto refused;
    }

    if (json_integer_value(json_object_get(o, "e")) < ngx_time()) {
        why = "the login took too long (state expired)";
        goto refused;
    }

    json_decref(o);
    o = NULL;

    if (ngx_meet_oidc_arg(r, &r->args, "state", &value) != NGX_OK
        || !meet_oidc_str_equal(value.data, value.len, ctx->state.data,
                                ctx->state.len))
    {
        why = "the state parameter does not match this browser's login";
        goto refused;
    }

    if (ngx_meet_oidc_arg(r, &r->args, "error", &error) == NGX_OK) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "meet oidc: the IdP refused the login: \"%V\"",
                      ngx_meet_log_esc(&error));
        return ngx_meet_oidc_page(r, NGX_HTTP_FORBIDDEN, "Login refused",
                                  "The identity provider did not log you "
                                  "in.");
    }

    if (ngx_meet_oidc_arg(r, &r->args, "code", &ctx->code) != NGX_OK
        || ctx->code.len == 0 || ctx->code.len > 2048)
    {
        why = "no authorization code";
        goto refused;
    }

    return NGX_DECLINED;

refused:

    if (o) {
        json_decref(o);
    }

    ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                  "meet oidc: callback refused: %s", why);

    return ngx_meet_oidc_page(r, NGX_HTTP_BAD_REQUEST, "Login failed",
                              "This login link is not valid any more. "
                              "Please log in again.");
}


static ngx_int_t
ngx_meet_oidc_token_request(ngx_http_request_t *r, ngx_meet_oidc_ctx_t *ctx)
{
    u_char                    *p;
    ngx_str_t                  cb, body;
    ngx_meet_oidc_srv_conf_t  *oscf;
    ngx_meet_oidc_runtime_t   *rt;

    oscf = ngx_http_get_module_srv_conf(r, ngx_meet_oidc_module);
    rt = oscf->rt;

    cb.len = ctx->origin.len + ctx->prefix.len + sizeof("callback/") - 1;
    cb.data = ngx_pnalloc(r->pool, cb.len);
    if (cb.data == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(cb.data, "%V%Vcallback/", &ctx->origin, &ctx->prefix);

    body.len = sizeof("grant_type=authorization_code&code=&redirect_uri="
                      "&code_verifier=")
               + ngx_meet_oidc_escaped_len(&ctx->code)
               + ngx_meet_oidc_escaped_len(&cb)
               + ngx_meet_oidc_escaped_len(&ctx->verifier);
    body.data = ngx_pnalloc(r->pool, body.len);
    if (body.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(body.data, "grant_type=authorization_code&code=",
                   sizeof("grant_type=authorization_code&code=") - 1);
    p = ngx_meet_oidc_escape(p, &ctx->code);
    p = ngx_cpymem(p, "&redirect_uri=", sizeof("&redirect_uri=") - 1);
    p = ngx_meet_oidc_escape(p, &cb);
    p = ngx_cpymem(p, "&code_verifier=", sizeof("&code_verifier=") - 1);
    p = ngx_meet_oidc_escape(p, &ctx->verifier);
    body.len = p - body.data;

    ctx->fetch.url.data = (u_char *) rt->disc.token_endpoint.data;
    ctx->fetch.url.len = rt->disc.token_endpoint.len;
    ngx_str_set(&ctx->fetch.method, "POST");
    ctx->fetch.body = body;
    ngx_str_set(&ctx->fetch.content_type,
                "application/x-www-form-urlencoded");
    ctx->fetch.authorization = oscf->basic;

    return ngx_meet_oidc_fetch(r, ctx, NGX_MEET_OIDC_S_TOKEN_GOT);
}


/* NGX_DECLINED: the ID token is in ctx; else the error answer's rc */

static ngx_int_t
ngx_meet_oidc_token_response(ngx_http_request_t *r, ngx_meet_oidc_ctx_t *ctx)
{
    meet_jose_err_e              err;
    meet_oidc_token_response_t   tr;

    ngx_memzero(&tr, sizeof(tr));

    if (ctx->fetch_status != NGX_HTTP_OK
        && (ctx->fetch_status < 400 || ctx->fetch_status >= 500
            || ctx->fetch_body.len == 0))
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "meet oidc: token endpoint failed: HTTP %i (the IdP "
                      "is unreachable or broken; see the lines above)",
                      ctx->fetch_status);
        return ngx_meet_oidc_page(r, NGX_HTTP_BAD_GATEWAY,
                                  "Login is unavailable",
                                  "The identity provider could not be "
                                  "reached. Please try again in a few "
                                  "minutes.");
    }

    err = meet_oidc_token_response_parse(ctx->fetch_body.data,
                                         ctx->fetch_body.len, &tr);

    if (err == MEET_JOSE_ERR_TOKEN_ERROR) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "meet oidc: token endpoint refused the code: \"%V\" "
                      "(%V)",
                      ngx_meet_log_nesc(tr.error.data, tr.error.len),
                      ngx_meet_log_nesc(tr.error_description.data,
                                        tr.error_description.len));
        meet_oidc_token_response_free(&tr);

        return ngx_meet_oidc_page(r, NGX_HTTP_BAD_REQUEST, "Login failed",
                                  "This login link is not valid any more. "
                                  "Please log in again.");
    }

    if (err != MEET_JOSE_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "meet oidc: token response refused: %s",
                      meet_jose_strerror(err));
        meet_oidc_token_response_free(&tr);

        return ngx_meet_oidc_page(r, NGX_HTTP_BAD_GATEWAY, "Login failed",
                                  "The identity provider answered "
                                  "something we cannot use.");
    }

    ctx->id_token.len = tr.id_token.len;
    ctx->id_token.data = ngx_pnalloc(r->pool, tr.id_token.len + 1);
    if (ctx->id_token.data == NULL) {
        meet_oidc_token_response_free(&tr);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(ctx->id_token.data, tr.id_token.data, tr.id_token.len);
    ctx->id_token.data[tr.id_token.len] = '\0';

    meet_oidc_token_response_free(&tr);

    return NGX_DECLINED;
}


static ngx_int_t
ngx_meet_oidc_copy(ngx_pool_t *pool, meet_jwt_str_t *in, ngx_str_t *out)
{
    out->len = in->len;
    out->data = ngx_pnalloc(pool, in->len + 1);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    if (in->len) {
        ngx_memcpy(out->data, in->data, in->len);
    }

    out->data[in->len] = '\0';

    return NGX_OK;
}


/* the user's id: a UUID (version 8, RFC 9562) from SHA-256(iss NUL sub) */

static ngx_int_t
ngx_meet_oidc_user_id(ngx_http_request_t *r, ngx_str_t *iss, ngx_str_t *sub,
    ngx_str_t *out)
{
    u_char        md[32], *p;
    unsigned int  len;
    EVP_MD_CTX   *c;

    c = EVP_MD_CTX_new();
    if (c == NULL) {
        return NGX_ERROR;
    }

    if (EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1
        || EVP_DigestUpdate(c, iss->data, iss->len) != 1
        || EVP_DigestUpdate(c, "", 1) != 1
        || EVP_DigestUpdate(c, sub->data, sub->len) != 1
        || EVP_DigestFinal_ex(c, md, &len) != 1)
    {
        EVP_MD_CTX_free(c);
        return NGX_ERROR;
    }

    EVP_MD_CTX_free(c);

    md[6] = (md[6] & 0x0f) | 0x80;
    md[8] = (md[8] & 0x3f) | 0x80;

    out->data = ngx_pnalloc(r->pool, 37);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_hex_dump(out->data, md, 4);
    *p++ = '-';
    p = ngx_hex_dump(p, md + 4, 2);
    *p++ = '-';
    p = ngx_hex_dump(p, md + 6, 2);
    *p++ = '-';
    p = ngx_hex_dump(p, md + 8, 2);
    *p++ = '-';
    p = ngx_hex_dump(p, md + 10, 6);
    *p = '\0';
    out->len = p - out->data;

    return NGX_OK;
}


/*
 * Verifies the ID token (callback) or the logout token (back-channel),
 * then starts the session work.  Sets ctx->step to S_JWKS for an unknown
 * kid (refetch the JWKS); NGX_DONE once the session store has the rest
 * (which may have finished the request already); else the answer's rc.
 */

static ngx_int_t
ngx_meet_oidc_verify(ngx_http_request_t *r, ngx_meet_oidc_ctx_t *ctx)
{
    u_char                    *p;
    ngx_str_t                 *tok;
    ngx_meet_session_t        *s;
    meet_jose_err_e            err;
    meet_oidc_params_t         params;
    meet_oidc_claims_t         claims;
    ngx_meet_oidc_runtime_t   *rt;
    ngx_meet_oidc_srv_conf_t  *oscf;

    oscf = ngx_http_get_module_srv_conf(r, ngx_meet_oidc_module);
    rt = oscf->rt;

    ngx_memzero(&params, sizeof(params));
    ngx_memzero(&claims, sizeof(claims));

    params.issuer = (char *) oscf->issuer.data;
    params.client_id = (char *) oscf->client_id.data;
    params.now = ngx_time();
    params.leeway = NGX_MEET_OIDC_LEEWAY;
    params.max_age = -1;

    if (ctx->action == NGX_MEET_OIDC_BACKCHANNEL) {
        tok = &ctx->logout_token;
        params.max_iat_age = 600;
        err = meet_oidc_verify_logout_token(tok->data, tok->len, &rt->jwks,
                                            &params, &claims);

    } else {
        tok = &ctx->id_token;
        params.nonce = (char *) ctx->nonce.data;
        err = meet_oidc_verify_id_token(tok->data, tok->len, &rt->jwks,
                                        &params, &claims);
    }

    if (err == MEET_JOSE_ERR_UNKNOWN_KID && !ctx->jwks_refetched) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet oidc: token signed with a key not in the JWKS, "
                      "fetching the JWKS again (key rotation?)");
        meet_oidc_claims_free(&claims);

        ctx->force_jwks = 1;
        ctx->jwks_refetched = 1;
        ctx->step = NGX_MEET_OIDC_S_JWKS;

        return NGX_OK;
    }

    if (err != MEET_JOSE_OK) {
        meet_oidc_claims_free(&claims);

        if (ctx->action == NGX_MEET_OIDC_BACKCHANNEL) {
            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "meet oidc: back-channel logout token refused: "
                          "%s", meet_jose_strerror(err));
            return ngx_meet_http_send(r, NGX_HTTP_BAD_REQUEST,
                                      "application/json", "Cache-Control",
                                      "no-store",
                                      (u_char *) "{\"error\":"
                                      "\"invalid_request\"}",
                                      sizeof("{\"error\":"
                                             "\"invalid_request\"}") - 1);
        }

        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "meet oidc: ID token refused: %s",
                      meet_jose_strerror(err));

        return ngx_meet_oidc_page(r, NGX_HTTP_UNAUTHORIZED, "Login failed",
                                  "The identity provider's answer could not "
                                  "be verified. Please log in again.");
    }

    s = ngx_pcalloc(r->pool, sizeof(ngx_meet_session_t));
    if (s == NULL) {
        meet_oidc_claims_free(&claims);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->session = s;
    s->iss = oscf->issuer;

    if (ngx_meet_oidc_copy(r->pool, &claims.sub, &s->sub) != NGX_OK
        || ngx_meet_oidc_copy(r->pool, &claims.sid, &s->op_sid) != NGX_OK
        || ngx_meet_oidc_copy(r->pool, &claims.email, &s->email) != NGX_OK
        || ngx_meet_oidc_copy(r->pool, claims.name.len ? &claims.name
                              : &claims.preferred_username, &s->full_name)
           != NGX_OK
        || ngx_meet_oidc_copy(r->pool, claims.given_name.len
                              ? &claims.given_name : &claims.name,
                              &s->short_name)
           != NGX_OK)
    {
        meet_oidc_claims_free(&claims);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    meet_oidc_claims_free(&claims);

    if (ctx->action == NGX_MEET_OIDC_BACKCHANNEL) {
        if (s->op_sid.len == 0) {
            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "meet oidc: back-channel logout for \"%V\" "
                          "without \"sid\" refused (register the client "
                          "with backchannel_logout_session_required)",
                          ngx_meet_log_esc(&s->sub));
            return ngx_meet_http_send(r, NGX_HTTP_NOT_IMPLEMENTED,
                                      "application/json", "Cache-Control",
                                      "no-store",
                                      (u_char *) "{\"error\":"
                                      "\"invalid_request\",\"error_"
                                      "description\":\"sid required\"}",
                                      sizeof("{\"error\":"
                                             "\"invalid_request\",\"error_"
                                             "description\":\"sid "
                                             "required\"}") - 1);
        }

        ctx->step = NGX_MEET_OIDC_S_WAIT;

        if (ngx_meet_session_end_op_sid(r, &oscf->issuer, &s->op_sid,
                                        ngx_meet_oidc_backchannel_done)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return NGX_DONE;
    }

    /* short name: the first word of the name when no given_name */

    p = ngx_strlchr(s->short_name.data, s->short_name.data + s->short_name.len,
                    ' ');
    if (p && s->short_name.data == s->full_name.data) {
        s->short_name.len = p - s->short_name.data;
    }

    s->id_token = ctx->id_token;

    if (ngx_meet_oidc_user_id(r, &oscf->issuer, &s->sub, &s->user_id)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->step = NGX_MEET_OIDC_S_WAIT;

    if (ngx_meet_session_create(r, s, ngx_meet_oidc_session_created)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return NGX_DONE;
}


static void
ngx_meet_oidc_session_created(ngx_http_request_t *r, ngx_meet_session_t *s,
    ngx_int_t rc)
{
    ngx_meet_oidc_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_meet_oidc_module);

    if (rc != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "meet oidc: login of \"%V\" failed: the session "
                      "store is unavailable",
                      ngx_meet_log_esc(&ctx->session->sub));
        ngx_meet_oidc_finish(r, ngx_meet_oidc_page(r,
            NGX_HTTP_SERVICE_UNAVAILABLE, "Login is unavailable",
            "Your login worked, but this server cannot keep sessions right "
            "now. Meetings in progress are not affected. Please try again "
            "in a few minutes."));
        return;
    }

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "meet oidc: \"%V\" (%V) logged in, user %V",
                  ngx_meet_log_esc(&s->sub), ngx_meet_log_esc(&s->email),
                  &s->user_id);

    ngx_meet_oidc_finish(r, ngx_meet_oidc_redirect(r, &ctx->return_to));
}


/* RP-initiated logout */


static void
ngx_meet_oidc_logged_out(ngx_http_request_t *r, ngx_meet_session_t *s,
    ngx_int_t rc)
{
    ngx_meet_oidc_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_meet_oidc_module);

    if (rc == NGX_ERROR) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "meet oidc: logout: the session store is "
                      "unavailable; the cookie is cleared");
    }

    ctx->session = s;

    if (s == NULL || s->id_token.len == 0) {
        ctx->step = NGX_MEET_OIDC_S_LOGOUT_REDIRECT;

    } else {
        /* the OP's end_session_endpoint comes with the discovery */
        ctx->step = NGX_MEET_OIDC_S_DISCOVERY;
        ctx->after_discovery = NGX_MEET_OIDC_S_LOGOUT_REDIRECT;
    }

    ngx_meet_oidc_run(r);
}


static ngx_int_t
ngx_meet_oidc_logout_redirect(ngx_http_request_t *r, ngx_meet_oidc_ctx_t *ctx)
{
    u_char                    *p, sep;
    ngx_str_t                  loc, cb, end;
    ngx_meet_oidc_runtime_t   *rt;
    ngx_meet_oidc_srv_conf_t  *oscf;

    oscf = ngx_http_get_module_srv_conf(r, ngx_meet_oidc_module);
    rt = oscf->rt;

    if (ctx->session == NULL || ctx->session->id_token.len == 0
        || rt->disc_at == 0 || rt->disc.end_session_endpoint.len == 0)
    {
        return ngx_meet_oidc_redirect(r, &oscf->post_logout_redirect);
    }

    end.data = (u_char *) rt->disc.end_session_endpoint.data;
    end.len = rt->disc.end_session_endpoint.len;

    cb.len = ctx->origin.len + ctx->prefix.len + sizeof("logout-callback/")
             - 1;
    cb.data = ngx_pnalloc(r->pool, cb.len);
    if (cb.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_sprintf(cb.data, "%V%Vlogout-callback/", &ctx->origin, &ctx->prefix);

    loc.len = end.len + sizeof("?id_token_hint=&post_logout_redirect_uri="
                                "&client_id=")
              + ngx_meet_oidc_escaped_len(&ctx->session->id_token)
              + ngx_meet_oidc_escaped_len(&cb)
              + ngx_meet_oidc_escaped_len(&oscf->client_id);
    loc.data = ngx_pnalloc(r->pool, loc.len);
    if (loc.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_cpymem(loc.data, end.data, end.len);
    sep = ngx_strlchr(loc.data, p, '?') ? '&' : '?';
    *p++ = sep;
    p = ngx_cpymem(p, "id_token_hint=", sizeof("id_token_hint=") - 1);
    p = ngx_meet_oidc_escape(p, &ctx->session->id_token);
    p = ngx_cpymem(p, "&post_logout_redirect_uri=",
                   sizeof("&post_logout_redirect_uri=") - 1);
    p = ngx_meet_oidc_escape(p, &cb);
    p = ngx_cpymem(p, "&client_id=", sizeof("&client_id=") - 1);
    p = ngx_meet_oidc_escape(p, &oscf->client_id);
    loc.len = p - loc.data;

    return ngx_meet_oidc_redirect(r, &loc);
}


/* back-channel logout */


static void
ngx_meet_oidc_backchannel_body(ngx_http_request_t *r)
{
    u_char               *p;
    size_t                len;
    ngx_str_t             body;
    ngx_buf_t            *b;
    ngx_chain_t          *cl;
    ngx_meet_oidc_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_meet_oidc_module);

    /* the body in one piece: it is small (a form with one JWT) */

    len = 0;

    for (cl = r->request_body ? r->request_body->bufs : NULL; cl;
         cl = cl->next)
    {
        b = cl->buf;

        if (b->in_file) {
            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "meet oidc: back-channel logout body larger than "
                          "client_body_buffer_size");
            goto bad;
        }

        len += b->last - b->pos;
    }

    if (len == 0) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "meet oidc: back-channel logout without a body");
        goto bad;
    }

    body.data = ngx_pnalloc(r->pool, len);
    if (body.data == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    p = body.data;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        p = ngx_cpymem(p, cl->buf->pos, cl->buf->last - cl->buf->pos);
    }

    body.len = len;

    if (body.len > NGX_MEET_OIDC_MAX_BODY
        || ngx_meet_oidc_arg(r, &body, "logout_token", &ctx->logout_token)
           != NGX_OK
        || ctx->logout_token.len == 0)
    {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "meet oidc: back-channel logout without a "
                      "logout_token form field");
        goto bad;
    }

    ctx->step = NGX_MEET_OIDC_S_DISCOVERY;
    ctx->after_discovery = NGX_MEET_OIDC_S_JWKS;

    ngx_meet_oidc_run(r);
    return;

bad:

    ngx_http_finalize_request(r, ngx_meet_http_send(r, NGX_HTTP_BAD_REQUEST,
        "application/json", "Cache-Control", "no-store",
        (u_char *) "{\"error\":\"invalid_request\"}",
        sizeof("{\"error\":\"invalid_request\"}") - 1));
}


static void
ngx_meet_oidc_backchannel_done(ngx_http_request_t *r, ngx_meet_session_t *s,
    ngx_int_t rc)
{
    ngx_meet_oidc_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_meet_oidc_module);

    if (rc == NGX_ERROR) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "meet oidc: back-channel logout of \"%V\" failed: "
                      "the session store is unavailable",
                      ngx_meet_log_esc(&ctx->session->sub));
        ngx_meet_oidc_finish(r, ngx_meet_http_send(r,
            NGX_HTTP_SERVICE_UNAVAILABLE, "application/json",
            "Cache-Control", "no-store",
            (u_char *) "{\"error\":\"temporarily_unavailable\"}",
            sizeof("{\"error\":\"temporarily_unavailable\"}") - 1));
        return;
    }

    if (rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet oidc: back-channel logout of \"%V\": no session "
                      "here (already ended)",
                      ngx_meet_log_esc(&ctx->session->sub));
    }

    /* OIDC Back-Channel Logout 1.0, 2.8: 200 OK, also when none was left */

    ngx_meet_oidc_finish(r, ngx_meet_http_send(r, NGX_HTTP_OK,
        "application/json", "Cache-Control", "no-store",
        (u_char *) "{}", 2));
}
