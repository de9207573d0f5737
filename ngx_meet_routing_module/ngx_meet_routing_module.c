
/*
 * Copyright (C) ngx_meet authors
 *
 * ngx_meet_routing_module: the path-routing table of a meeting deployment
 * in one server block.
 *
 *     http {
 *         meet_backend  django  http://127.0.0.1:8000  health=/__heartbeat__/;
 *         server {
 *             listen 443 ssl;
 *             meet_trusted_proxies  10.0.0.0/8;
 *             meet_routes {
 *                 /api/        backend django;
 *                 /admin/      backend django;
 *                 = /healthz   health;
 *                 /rtc         signal;
 *                 /            spa /usr/share/ngx_meet/web;
 *             }
 *         }
 *     }
 *
 * Each route becomes an ordinary nginx location, generated at
 * configuration time from text parsed by nginx itself, so backends get
 * nginx's proxy and upstream code unchanged (keepalive, timeouts, TLS).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_meet_core.h"
#include "ngx_meet_http.h"


#define NGX_MEET_ROUTE_BACKEND   1
#define NGX_MEET_ROUTE_HEALTH    2
#define NGX_MEET_ROUTE_SPA       3
#define NGX_MEET_ROUTE_SIGNAL    4
#define NGX_MEET_ROUTE_API       5

#define NGX_MEET_HEALTH_URI      "/_meet/health/"


typedef struct {
    ngx_str_t                 name;
    ngx_str_t                 url;          /* as written */
    ngx_str_t                 scheme;       /* "http" or "https" */
    ngx_str_t                 host;         /* host[:port] */
    ngx_str_t                 health;       /* path, or empty */
    ngx_uint_t                keepalive;
} ngx_meet_routing_backend_t;


typedef struct {
    ngx_str_t                    path;
    ngx_uint_t                   exact;
    ngx_uint_t                   type;
    ngx_str_t                    arg;
    ngx_meet_routing_backend_t  *backend;
    ngx_uint_t                   line;
} ngx_meet_routing_route_t;


typedef struct {
    ngx_array_t               backends;     /* of ngx_meet_routing_backend_t */
    ngx_array_t              *loopback;     /* of ngx_cidr_t */
} ngx_meet_routing_main_conf_t;


typedef struct {
    ngx_array_t              *trusted;      /* of ngx_cidr_t */
    ngx_array_t              *health_allow; /* of ngx_cidr_t; NULL: none */
    ngx_flag_t                health;
    ngx_flag_t                spa_fallback;
    /* of ngx_meet_routing_backend_t * */
    ngx_array_t              *health_checks;
} ngx_meet_routing_loc_conf_t;


typedef struct {
    ngx_meet_routing_backend_t  *backend;
    ngx_int_t                    code;         /* HTTP status, 0 if none */
    ngx_msec_t                   elapsed;
} ngx_meet_routing_health_check_t;


typedef struct {
    ngx_uint_t                        next;     /* next check to start */
    ngx_uint_t                        running;  /* a subrequest is running */
    ngx_msec_t                        started;
    ngx_meet_routing_health_check_t  *checks;
    ngx_uint_t                        nchecks;
} ngx_meet_routing_health_ctx_t;


typedef struct {
    ngx_array_t                   *routes;  /* of ngx_meet_routing_route_t */
    ngx_meet_routing_main_conf_t  *rmcf;
} ngx_meet_routing_routes_parse_t;


static ngx_int_t ngx_meet_routing_add_variables(ngx_conf_t *cf);
static ngx_int_t ngx_meet_routing_init(ngx_conf_t *cf);
static void *ngx_meet_routing_create_main_conf(ngx_conf_t *cf);
static void *ngx_meet_routing_create_loc_conf(ngx_conf_t *cf);
static char *ngx_meet_routing_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);

static char *ngx_meet_routing_backend(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_meet_routing_routes(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_meet_routing_routes_line(ngx_conf_t *cf,
    ngx_command_t *dummy, void *conf);
static char *ngx_meet_routing_routes_check(ngx_conf_t *cf,
    ngx_array_t *routes);
static char *ngx_meet_routing_routes_generate(ngx_conf_t *cf,
    ngx_array_t *routes, ngx_meet_routing_loc_conf_t *rlcf);
static char *ngx_meet_routing_cidrs(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_meet_routing_health(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_meet_routing_spa_fallback(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

static ngx_uint_t ngx_meet_routing_directive_exists(ngx_conf_t *cf,
    char *name);
static ngx_uint_t ngx_meet_routing_path_valid(ngx_str_t *path);

static ngx_int_t ngx_meet_routing_health_phase(ngx_http_request_t *r);
static ngx_int_t ngx_meet_routing_health_done(ngx_http_request_t *r,
    void *data, ngx_int_t rc);
static ngx_int_t ngx_meet_routing_health_handler(ngx_http_request_t *r);
static ngx_int_t ngx_meet_routing_spa_fallback_handler(ngx_http_request_t *r);

static ngx_uint_t ngx_meet_routing_is_trusted(ngx_http_request_t *r);
static ngx_int_t ngx_meet_routing_forwarded_proto_variable(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_meet_routing_forwarded_for_variable(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_meet_routing_forwarded_host_variable(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_meet_routing_upstream_connection_variable(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);


static ngx_command_t  ngx_meet_routing_commands[] = {

    { ngx_string("meet_backend"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_2MORE,
      ngx_meet_routing_backend,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("meet_routes"),
      NGX_HTTP_SRV_CONF|NGX_CONF_BLOCK|NGX_CONF_NOARGS,
      ngx_meet_routing_routes,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("meet_trusted_proxies"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_meet_routing_cidrs,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_meet_routing_loc_conf_t, trusted),
      NULL },

    { ngx_string("meet_healthz_details_allow"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_meet_routing_cidrs,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_meet_routing_loc_conf_t, health_allow),
      NULL },

    { ngx_string("meet_health"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_meet_routing_health,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("meet_spa_fallback"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_meet_routing_spa_fallback,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_meet_routing_module_ctx = {
    ngx_meet_routing_add_variables,        /* preconfiguration */
    ngx_meet_routing_init,                 /* postconfiguration */

    ngx_meet_routing_create_main_conf,     /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_meet_routing_create_loc_conf,      /* create location configuration */
    ngx_meet_routing_merge_loc_conf        /* merge location configuration */
};


ngx_module_t  ngx_meet_routing_module = {
    NGX_MODULE_V1,
    &ngx_meet_routing_module_ctx,          /* module context */
    ngx_meet_routing_commands,             /* module directives */
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


static ngx_http_variable_t  ngx_meet_routing_vars[] = {

    { ngx_string("meet_forwarded_proto"), NULL,
      ngx_meet_routing_forwarded_proto_variable, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("meet_forwarded_for"), NULL,
      ngx_meet_routing_forwarded_for_variable, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("meet_forwarded_host"), NULL,
      ngx_meet_routing_forwarded_host_variable, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("meet_upstream_connection"), NULL,
      ngx_meet_routing_upstream_connection_variable, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


static ngx_str_t  ngx_meet_routing_http = ngx_string("http");
static ngx_str_t  ngx_meet_routing_https = ngx_string("https");


/* configuration */


static ngx_int_t
ngx_meet_routing_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_meet_routing_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_meet_routing_init(ngx_conf_t *cf)
{
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_PRECONTENT_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_meet_routing_health_phase;

    return NGX_OK;
}


/*
 * meet_backend <name> <http[s]://host[:port]> [health=<path>]
 *              [keepalive=<n>];
 */

static char *
ngx_meet_routing_backend(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_meet_routing_main_conf_t *rmcf = conf;

    u_char                      *p, *last;
    ngx_int_t                    n;
    ngx_str_t                   *value, text;
    ngx_uint_t                   i;
    ngx_meet_routing_backend_t  *b;

    value = cf->args->elts;

    for (p = value[1].data; p < value[1].data + value[1].len; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "meet_backend: invalid name \"%V\"; use "
                               "letters, digits, \"_\" and \"-\"", &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    b = rmcf->backends.elts;
    for (i = 0; i < rmcf->backends.nelts; i++) {
        if (b[i].name.len == value[1].len
            && ngx_strncmp(b[i].name.data, value[1].data, value[1].len) == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "meet_backend: backend \"%V\" is declared "
                               "twice; give each backend its own name",
                               &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    b = ngx_array_push(&rmcf->backends);
    if (b == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(b, sizeof(ngx_meet_routing_backend_t));
    b->name = value[1];
    b->url = value[2];
    b->keepalive = 16;

    if (value[2].len > 7 && ngx_strncasecmp(value[2].data,
                                            (u_char *) "http://", 7) == 0)
    {
        b->scheme = ngx_meet_routing_http;
        b->host.data = value[2].data + 7;
        b->host.len = value[2].len - 7;

    } else if (value[2].len > 8 && ngx_strncasecmp(value[2].data,
                                                   (u_char *) "https://", 8)
                                   == 0)
    {
        b->scheme = ngx_meet_routing_https;
        b->host.data = value[2].data + 8;
        b->host.len = value[2].len - 8;

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_backend: \"%V\" is not a URL; write "
                           "\"http://host:port\" or \"https://host:port\"",
                           &value[2]);
        return NGX_CONF_ERROR;
    }

    last = b->host.data + b->host.len;
    for (p = b->host.data; p < last; p++) {
        if (*p == '/' || *p == '?' || *p == '#' || *p == '"' || *p == '\''
            || *p == '{' || *p == '}' || *p == ';' || *p == '\\'
            || *p <= ' ')
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "meet_backend: URL \"%V\" must be only "
                               "scheme, host and port, without a path",
                               &value[2]);
            return NGX_CONF_ERROR;
        }
    }

    for (i = 3; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "health=", 7) == 0) {
            b->health.data = value[i].data + 7;
            b->health.len = value[i].len - 7;

            if (b->health.len == 0 || b->health.data[0] != '/'
                || !ngx_meet_routing_path_valid(&b->health))
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "meet_backend: invalid \"%V\"; write "
                                   "health=/path, e.g. health=/__heartbeat__/",
                                   &value[i]);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "keepalive=", 10) == 0) {
            n = ngx_atoi(value[i].data + 10, value[i].len - 10);
            if (n == NGX_ERROR || n > 65535) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "meet_backend: invalid \"%V\"; write "
                                   "keepalive=<connections>, 0 disables",
                                   &value[i]);
                return NGX_CONF_ERROR;
            }

            b->keepalive = n;
            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_backend: unknown parameter \"%V\"; known: "
                           "health=<path>, keepalive=<n>", &value[i]);
        return NGX_CONF_ERROR;
    }

    /* upstream meet_backend_<name> { server <host>; keepalive <n>; } */

    text.len = sizeof("upstream meet_backend_ { server ; keepalive ; }") - 1
               + b->name.len + b->host.len + NGX_INT_T_LEN;
    text.data = ngx_pnalloc(cf->temp_pool, text.len);
    if (text.data == NULL) {
        return NGX_CONF_ERROR;
    }

    if (b->keepalive) {
        p = ngx_sprintf(text.data,
                        "upstream meet_backend_%V { server %V; "
                        "keepalive %ui; }",
                        &b->name, &b->host, b->keepalive);
    } else {
        p = ngx_sprintf(text.data, "upstream meet_backend_%V { server %V; }",
                        &b->name, &b->host);
    }

    text.len = p - text.data;

    return ngx_meet_conf_parse_text(cf, &text, &cf->conf_file->file.name,
                                    cf->conf_file->line);
}


static ngx_uint_t
ngx_meet_routing_path_valid(ngx_str_t *path)
{
    u_char  *p, *last;

    last = path->data + path->len;

    for (p = path->data; p < last; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
            || (*p >= '0' && *p <= '9'))
        {
            continue;
        }

        switch (*p) {
        case '/': case '.': case '_': case '-': case '~': case '%':
            continue;
        }

        return 0;
    }

    return 1;
}


static char *
ngx_meet_routing_routes(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_meet_routing_loc_conf_t *rlcf = conf;

    char                            *rv;
    ngx_conf_t                       save;
    ngx_array_t                     *routes;
    ngx_meet_routing_routes_parse_t  parse;

    if (rlcf->health_checks != NGX_CONF_UNSET_PTR) {
        return "is duplicate; a server has one routing table";
    }

    routes = ngx_array_create(cf->temp_pool, 8,
                              sizeof(ngx_meet_routing_route_t));
    if (routes == NULL) {
        return NGX_CONF_ERROR;
    }

    parse.routes = routes;
    parse.rmcf = ngx_http_conf_get_module_main_conf(cf,
                                                    ngx_meet_routing_module);

    save = *cf;
    cf->handler = ngx_meet_routing_routes_line;
    cf->handler_conf = (char *) &parse;

    rv = ngx_conf_parse(cf, NULL);

    *cf = save;

    if (rv != NGX_CONF_OK) {
        return rv;
    }

    rv = ngx_meet_routing_routes_check(cf, routes);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    return ngx_meet_routing_routes_generate(cf, routes, rlcf);
}


/* one line of "meet_routes": [=] <path> <target> [argument] */

static char *
ngx_meet_routing_routes_line(ngx_conf_t *cf, ngx_command_t *dummy, void *conf)
{
    ngx_meet_routing_routes_parse_t *parse = conf;

    ngx_str_t                   *value, target;
    ngx_uint_t                   i, n, nargs;
    ngx_meet_routing_route_t    *route;
    ngx_meet_routing_backend_t  *b;

    value = cf->args->elts;
    n = 0;

    route = ngx_array_push(parse->routes);
    if (route == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(route, sizeof(ngx_meet_routing_route_t));
    route->line = cf->conf_file->line;

    if (value[0].len == 1 && value[0].data[0] == '=') {
        route->exact = 1;
        n = 1;
    }

    if (cf->args->nelts < n + 2) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_routes: a route needs a path and a target, "
                           "e.g. \"/api/ backend django;\"");
        return NGX_CONF_ERROR;
    }

    route->path = value[n];
    target = value[n + 1];
    nargs = cf->args->nelts - n - 2;

    if (route->path.len == 0 || route->path.data[0] != '/'
        || !ngx_meet_routing_path_valid(&route->path))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_routes: invalid path \"%V\"; a path starts "
                           "with \"/\" and has only letters, digits and "
                           "\"/._~-%%\"", &route->path);
        return NGX_CONF_ERROR;
    }

    if (target.len == 7 && ngx_strncmp(target.data, "backend", 7) == 0) {

        if (nargs != 1) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "meet_routes: \"%V backend\" needs the name "
                               "of a backend, e.g. \"%V backend django;\"",
                               &route->path, &route->path);
            return NGX_CONF_ERROR;
        }

        route->type = NGX_MEET_ROUTE_BACKEND;
        route->arg = value[n + 2];

        b = parse->rmcf->backends.elts;
        for (i = 0; i < parse->rmcf->backends.nelts; i++) {
            if (b[i].name.len == route->arg.len
                && ngx_strncmp(b[i].name.data, route->arg.data,
                               route->arg.len) == 0)
            {
                route->backend = &b[i];
                break;
            }
        }

        if (route->backend == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "meet_routes: unknown backend \"%V\" for "
                               "\"%V\"; declare it in the http block before "
                               "this server: \"meet_backend %V "
                               "http://host:port;\"",
                               &route->arg, &route->path, &route->arg);
            return NGX_CONF_ERROR;
        }

        return NGX_CONF_OK;
    }

    if (target.len == 6 && ngx_strncmp(target.data, "health", 6) == 0) {
        route->type = NGX_MEET_ROUTE_HEALTH;

    } else if (target.len == 6 && ngx_strncmp(target.data, "signal", 6) == 0)
    {
        route->type = NGX_MEET_ROUTE_SIGNAL;

        if (!ngx_meet_routing_directive_exists(cf, "meet_signal")) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "meet_routes: target \"signal\" needs "
                               "ngx_meet_signal_module; add \"load_module "
                               "modules/ngx_meet_signal_module.so;\" after "
                               "ngx_meet_core_module.so");
            return NGX_CONF_ERROR;
        }

    } else if (target.len == 3 && ngx_strncmp(target.data, "api", 3) == 0) {
        route->type = NGX_MEET_ROUTE_API;

        if (route->exact
            || route->path.data[route->path.len - 1] != '/')
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "meet_routes: the \"api\" route must be a "
                               "prefix ending in \"/\", e.g. "
                               "\"/api/v1.0/ api;\"");
            return NGX_CONF_ERROR;
        }

    } else if (target.len == 3 && ngx_strncmp(target.data, "spa", 3) == 0) {
        route->type = NGX_MEET_ROUTE_SPA;

        if (nargs != 1) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "meet_routes: \"spa\" needs the folder of the "
                               "built web app (its root), e.g. \"/ spa "
                               "/usr/share/ngx_meet/web;\"");
            return NGX_CONF_ERROR;
        }

        route->arg = value[n + 2];
        return NGX_CONF_OK;

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_routes: unknown target \"%V\" for \"%V\"; "
                           "use \"backend <name>\", \"health\", \"signal\", "
                           "\"api\" or \"spa <folder>\"",
                           &target, &route->path);
        return NGX_CONF_ERROR;
    }

    if (nargs != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_routes: target \"%V\" takes no argument",
                           &target);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_meet_routing_routes_check(ngx_conf_t *cf, ngx_array_t *routes)
{
    ngx_str_t                  index;
    ngx_uint_t                 i, j, nhealth;
    ngx_file_info_t            fi;
    ngx_meet_routing_route_t  *r;

    r = routes->elts;
    nhealth = 0;

    if (routes->nelts == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_routes: the table is empty; add routes such "
                           "as \"= /healthz health;\"");
        return NGX_CONF_ERROR;
    }

    for (i = 0; i < routes->nelts; i++) {

        for (j = 0; j < i; j++) {
            if (r[i].exact == r[j].exact
                && r[i].path.len == r[j].path.len
                && ngx_strncmp(r[i].path.data, r[j].path.data,
                               r[i].path.len) == 0)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "meet_routes: conflicting routes for "
                                   "\"%s%V\" on lines %ui and %ui; keep one "
                                   "of them", r[i].exact ? "= " : "",
                                   &r[i].path, r[j].line, r[i].line);
                return NGX_CONF_ERROR;
            }
        }

        if (r[i].type == NGX_MEET_ROUTE_HEALTH) {
            nhealth++;
        }

        if (r[i].type != NGX_MEET_ROUTE_SPA) {
            continue;
        }

        if (r[i].exact || r[i].path.len != 1) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "meet_routes: \"spa\" must be the \"/\" route "
                               "(line %ui); the app answers every path no "
                               "other route takes", r[i].line);
            return NGX_CONF_ERROR;
        }

        if (ngx_conf_full_name(cf->cycle, &r[i].arg, 0) != NGX_OK) {
            return NGX_CONF_ERROR;
        }

        index.len = r[i].arg.len + sizeof("/index.html") - 1;
        index.data = ngx_pnalloc(cf->temp_pool, index.len + 1);
        if (index.data == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_sprintf(index.data, "%V/index.html%Z", &r[i].arg);

        if (ngx_file_info(index.data, &fi) == NGX_FILE_ERROR
            || !ngx_is_file(&fi))
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                               "meet_routes: spa root \"%V\" has no "
                               "index.html (line %ui); build the web app "
                               "(\"make\") or point the route at the folder "
                               "that holds it", &r[i].arg, r[i].line);
            return NGX_CONF_ERROR;
        }
    }

    if (nhealth > 1) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_routes: more than one \"health\" route; "
                           "keep one");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_meet_routing_routes_generate(ngx_conf_t *cf, ngx_array_t *routes,
    ngx_meet_routing_loc_conf_t *rlcf)
{
    u_char                        *p;
    char                          *rv;
    size_t                         len;
    ngx_str_t                      text, *file;
    ngx_uint_t                     i, nhealth;
    ngx_meet_routing_route_t      *r;
    ngx_meet_routing_backend_t    *b, **hb;
    ngx_meet_routing_main_conf_t  *rmcf;

    static const char  backend_tpl[] =
        "location %s %V { proxy_pass %V://meet_backend_%V; "
        "proxy_http_version 1.1; "
        "proxy_set_header Host $host; "
        "proxy_set_header X-Real-IP $remote_addr; "
        "proxy_set_header X-Forwarded-For $meet_forwarded_for; "
        "proxy_set_header X-Forwarded-Proto $meet_forwarded_proto; "
        "proxy_set_header X-Forwarded-Host $meet_forwarded_host; "
        "proxy_set_header Upgrade $http_upgrade; "
        "proxy_set_header Connection $meet_upstream_connection; "
        "proxy_ssl_server_name on; }";

    static const char  health_tpl[] =
        "location = " NGX_MEET_HEALTH_URI "%V { internal; "
        "proxy_pass %V://meet_backend_%V%V; "
        "proxy_http_version 1.1; "
        "proxy_set_header Host $host; "
        "proxy_set_header Connection \"\"; "
        "proxy_set_header Content-Length \"\"; "
        "proxy_pass_request_body off; "
        "proxy_connect_timeout 2s; proxy_send_timeout 2s; "
        "proxy_read_timeout 3s; proxy_next_upstream off; "
        "proxy_ssl_server_name on; "
        "subrequest_output_buffer_size 64k; log_subrequest off; }";

    file = &cf->conf_file->file.name;
    rmcf = ngx_http_conf_get_module_main_conf(cf, ngx_meet_routing_module);
    r = routes->elts;

    nhealth = 0;

    for (i = 0; i < routes->nelts; i++) {

        len = sizeof(backend_tpl) + sizeof(health_tpl) + 4 * r[i].path.len
              + 2 * r[i].arg.len + 256;

        text.data = ngx_pnalloc(cf->temp_pool, len);
        if (text.data == NULL) {
            return NGX_CONF_ERROR;
        }

        switch (r[i].type) {

        case NGX_MEET_ROUTE_BACKEND:
            b = r[i].backend;
            p = ngx_sprintf(text.data, backend_tpl,
                            r[i].exact ? "=" : "^~", &r[i].path,
                            &b->scheme, &b->name);
            break;

        case NGX_MEET_ROUTE_HEALTH:
            nhealth++;
            p = ngx_sprintf(text.data, "location %s %V { meet_health; }",
                            r[i].exact ? "=" : "^~", &r[i].path);
            break;

        case NGX_MEET_ROUTE_SIGNAL:
            p = ngx_sprintf(text.data, "location %s %V { meet_signal; }",
                            r[i].exact ? "=" : "^~", &r[i].path);
            break;

        case NGX_MEET_ROUTE_API:
            /* bodies of up to 64 KiB (the api's limit) read in memory:
               the api refuses a body nginx had to write to a file */
            p = ngx_sprintf(text.data, "location ^~ %V { meet_api; "
                            "client_body_buffer_size 64k; }", &r[i].path);
            break;

        default: /* NGX_MEET_ROUTE_SPA */
            p = ngx_sprintf(text.data,
                            "location / { root \"%V\"; "
                            "try_files $uri @meet_spa; } "
                            "location = /index.html { root \"%V\"; "
                            "add_header Cache-Control \"no-cache\" always; } "
                            "location @meet_spa { root \"%V\"; "
                            "meet_spa_fallback; }",
                            &r[i].arg, &r[i].arg, &r[i].arg);
            break;
        }

        text.len = p - text.data;

        rv = ngx_meet_conf_parse_text(cf, &text, file, r[i].line);
        if (rv != NGX_CONF_OK) {
            return rv;
        }
    }

    /* internal locations the health route checks backends through */

    rlcf->health_checks = ngx_array_create(cf->pool, 2,
                                  sizeof(ngx_meet_routing_backend_t *));
    if (rlcf->health_checks == NULL) {
        return NGX_CONF_ERROR;
    }

    if (nhealth == 0) {
        return NGX_CONF_OK;
    }

    b = rmcf->backends.elts;

    for (i = 0; i < rmcf->backends.nelts; i++) {

        hb = ngx_array_push(rlcf->health_checks);
        if (hb == NULL) {
            return NGX_CONF_ERROR;
        }

        *hb = &b[i];

        if (b[i].health.len == 0) {
            continue;
        }

        len = sizeof(health_tpl) + 2 * b[i].name.len + b[i].health.len + 16;

        text.data = ngx_pnalloc(cf->temp_pool, len);
        if (text.data == NULL) {
            return NGX_CONF_ERROR;
        }

        p = ngx_sprintf(text.data, health_tpl, &b[i].name, &b[i].scheme,
                        &b[i].name, &b[i].health);
        text.len = p - text.data;

        rv = ngx_meet_conf_parse_text(cf, &text, file, cf->conf_file->line);
        if (rv != NGX_CONF_OK) {
            return rv;
        }
    }

    return NGX_CONF_OK;
}


static ngx_uint_t
ngx_meet_routing_directive_exists(ngx_conf_t *cf, char *name)
{
    ngx_uint_t      i;
    ngx_command_t  *cmd;

    for (i = 0; cf->cycle->modules[i]; i++) {
        cmd = cf->cycle->modules[i]->commands;
        if (cmd == NULL) {
            continue;
        }

        for ( /* void */ ; cmd->name.len; cmd++) {
            if (ngx_strcmp(cmd->name.data, name) == 0) {
                return 1;
            }
        }
    }

    return 0;
}


/*
 * <address|CIDR> ... | off | all: meet_trusted_proxies,
 * meet_healthz_details_allow (an ngx_array_t * of ngx_cidr_t at
 * cmd->offset; off: NULL)
 */

static char *
ngx_meet_routing_cidrs(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_array_t **list = (ngx_array_t **) ((char *) conf + cmd->offset);

    ngx_int_t    rc;
    ngx_str_t   *value, any[2];
    ngx_uint_t   i, n;
    ngx_cidr_t  *cidr;

    if (*list != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;
    n = cf->args->nelts - 1;
    value++;

    if (n == 1 && ngx_strcmp(value[0].data, "off") == 0) {
        *list = NULL;
        return NGX_CONF_OK;
    }

    if (n == 1 && ngx_strcmp(value[0].data, "all") == 0) {
        ngx_str_set(&any[0], "0.0.0.0/0");
        ngx_str_set(&any[1], "::/0");
        value = any;
        n = 2;
    }

    *list = ngx_array_create(cf->pool, n, sizeof(ngx_cidr_t));
    if (*list == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 0; i < n; i++) {
        cidr = ngx_array_push(*list);
        if (cidr == NULL) {
            return NGX_CONF_ERROR;
        }

        rc = ngx_ptocidr(&value[i], cidr);

        if (rc == NGX_ERROR) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "%V: \"%V\" is not an address or CIDR "
                               "block, e.g. 10.0.0.0/8 (or \"off\", "
                               "\"all\")", &cmd->name, &value[i]);
            return NGX_CONF_ERROR;
        }

        if (rc == NGX_DONE) {
            ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                               "%V: low address bits of \"%V\" are "
                               "meaningless", &cmd->name, &value[i]);
        }
    }

    return NGX_CONF_OK;
}


static char *
ngx_meet_routing_health(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_meet_routing_loc_conf_t *rlcf = conf;

    ngx_http_core_loc_conf_t  *clcf;

    if (rlcf->health != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    rlcf->health = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_meet_routing_health_handler;

    return NGX_CONF_OK;
}


static char *
ngx_meet_routing_spa_fallback(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_meet_routing_loc_conf_t *rlcf = conf;

    ngx_http_core_loc_conf_t  *clcf;

    if (rlcf->spa_fallback != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    rlcf->spa_fallback = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_meet_routing_spa_fallback_handler;

    return NGX_CONF_OK;
}


/* health: backend checks run one by one as in-memory subrequests */


static ngx_int_t
ngx_meet_routing_health_phase(ngx_http_request_t *r)
{
    u_char                           *p;
    ngx_str_t                         uri;
    ngx_uint_t                        i;
    ngx_meet_routing_backend_t      **hb;
    ngx_http_request_t               *sr;
    ngx_meet_routing_health_ctx_t    *ctx;
    ngx_meet_routing_health_check_t  *check;
    ngx_http_post_subrequest_t       *ps;
    ngx_meet_routing_loc_conf_t      *rlcf;

    rlcf = ngx_http_get_module_loc_conf(r, ngx_meet_routing_module);

    if (!rlcf->health || r != r->main) {
        return NGX_DECLINED;
    }

    ctx = ngx_http_get_module_ctx(r, ngx_meet_routing_module);

    if (ctx == NULL) {
        ctx = ngx_pcalloc(r->pool, sizeof(ngx_meet_routing_health_ctx_t));
        if (ctx == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (rlcf->health_checks && rlcf->health_checks->nelts) {
            ctx->nchecks = rlcf->health_checks->nelts;
            ctx->checks = ngx_pcalloc(r->pool, ctx->nchecks
                               * sizeof(ngx_meet_routing_health_check_t));
            if (ctx->checks == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            hb = rlcf->health_checks->elts;
            for (i = 0; i < ctx->nchecks; i++) {
                ctx->checks[i].backend = hb[i];
            }
        }

        ngx_http_set_ctx(r, ctx, ngx_meet_routing_module);
    }

    if (ctx->running) {
        return NGX_AGAIN;
    }

    while (ctx->next < ctx->nchecks
           && ctx->checks[ctx->next].backend->health.len == 0)
    {
        ctx->next++;
    }

    if (ctx->next == ctx->nchecks) {
        return NGX_DECLINED;
    }

    check = &ctx->checks[ctx->next++];

    uri.len = sizeof(NGX_MEET_HEALTH_URI) - 1 + check->backend->name.len;
    uri.data = ngx_pnalloc(r->pool, uri.len);
    if (uri.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_cpymem(uri.data, NGX_MEET_HEALTH_URI,
                   sizeof(NGX_MEET_HEALTH_URI) - 1);
    ngx_memcpy(p, check->backend->name.data, check->backend->name.len);

    ps = ngx_palloc(r->pool, sizeof(ngx_http_post_subrequest_t));
    if (ps == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ps->handler = ngx_meet_routing_health_done;
    ps->data = check;

    ctx->running = 1;
    ctx->started = ngx_current_msec;

    if (ngx_http_subrequest(r, &uri, NULL, &sr, ps,
                            NGX_HTTP_SUBREQUEST_IN_MEMORY
                            |NGX_HTTP_SUBREQUEST_WAITED)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return NGX_AGAIN;
}


static ngx_int_t
ngx_meet_routing_health_done(ngx_http_request_t *r, void *data, ngx_int_t rc)
{
    ngx_meet_routing_health_check_t *check = data;

    ngx_meet_routing_health_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r->parent, ngx_meet_routing_module);
    if (ctx == NULL) {
        return rc;
    }

    ctx->running = 0;
    check->elapsed = ngx_current_msec - ctx->started;

    if (r->upstream && r->upstream->state && r->upstream->state->status) {
        check->code = r->upstream->state->status;

    } else if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        check->code = rc;

    } else {
        check->code = r->headers_out.status;
    }

    if (check->code != NGX_HTTP_OK) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "meet health: backend \"%V\" (%V%V) answered %i",
                      &check->backend->name, &check->backend->url,
                      &check->backend->health, check->code);
    }

    return rc;
}


static ngx_int_t
ngx_meet_routing_health_handler(ngx_http_request_t *r)
{
    json_t                           *root, *components, *backends, *item;
    ngx_int_t                         rc;
    ngx_uint_t                        i;
    ngx_array_t                      *registered;
    ngx_meet_health_t                *h;
    ngx_meet_routing_health_ctx_t    *ctx;
    ngx_meet_routing_health_check_t  *check;
    ngx_meet_routing_loc_conf_t      *rlcf;
    ngx_meet_health_status_e          worst, st;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    ctx = ngx_http_get_module_ctx(r, ngx_meet_routing_module);

    worst = NGX_MEET_HEALTH_OK;

    root = json_object();
    components = json_object();
    if (root == NULL || components == NULL) {
        goto failed;
    }

    item = json_pack("{ss}", "status", "ok");
    if (item == NULL || json_object_set_new(components, "http", item) != 0) {
        goto failed;
    }

    if (ctx && ctx->nchecks) {
        backends = json_object();
        if (backends == NULL
            || json_object_set_new(components, "backends", backends) != 0)
        {
            goto failed;
        }

        for (i = 0; i < ctx->nchecks; i++) {
            check = &ctx->checks[i];

            if (check->backend->health.len == 0) {
                item = json_pack("{ss}", "status", "unchecked");

            } else {
                st = (check->code == NGX_HTTP_OK) ? NGX_MEET_HEALTH_OK
                                                  : NGX_MEET_HEALTH_DOWN;
                if (st > worst) {
                    worst = st;
                }

                item = json_pack("{sssIsI}",
                                 "status", ngx_meet_health_status_name(st),
                                 "code", (json_int_t) check->code,
                                 "time_ms", (json_int_t) check->elapsed);
            }

            if (item == NULL
                || json_object_setn_new(backends,
                                        (char *) check->backend->name.data,
                                        check->backend->name.len, item)
                   != 0)
            {
                goto failed;
            }
        }
    }

    registered = ngx_meet_health_components((ngx_cycle_t *) ngx_cycle);

    if (registered) {
        h = registered->elts;
        for (i = 0; i < registered->nelts; i++) {
            item = json_object();
            if (item == NULL) {
                goto failed;
            }

            st = h[i].handler(&h[i], item, r->connection->log);
            if (st > worst) {
                worst = st;
            }

            if (json_object_set_new(item, "status",
                                json_string(ngx_meet_health_status_name(st)))
                != 0
                || json_object_setn_new(components, (char *) h[i].name.data,
                                        h[i].name.len, item)
                   != 0)
            {
                json_decref(item);
                goto failed;
            }
        }
    }

    if (json_object_set_new(root, "status",
                            json_string(ngx_meet_health_status_name(worst)))
        != 0)
    {
        goto failed;
    }

    /* the details (version, addresses, reasons) for the allowed only */

    rlcf = ngx_http_get_module_loc_conf(r, ngx_meet_routing_module);

    if (rlcf->health_allow
        && ngx_cidr_match(r->connection->sockaddr, rlcf->health_allow)
           == NGX_OK
        && (json_object_set_new(root, "version",
                                json_string(NGX_MEET_VERSION))
            != 0
            || json_object_set(root, "components", components) != 0))
    {
        goto failed;
    }

    rc = ngx_meet_http_send_json(r, (worst == NGX_MEET_HEALTH_DOWN)
                                    ? NGX_HTTP_SERVICE_UNAVAILABLE
                                    : NGX_HTTP_OK, root);

    json_decref(components);
    json_decref(root);

    return rc;

failed:

    json_decref(components);
    json_decref(root);

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "meet health: cannot build the JSON answer");

    return NGX_HTTP_INTERNAL_SERVER_ERROR;
}


/* SPA: client routes get index.html, missing assets get 404 */


static ngx_int_t
ngx_meet_routing_spa_fallback_handler(ngx_http_request_t *r)
{
    u_char     *p, *last;
    ngx_str_t   index = ngx_string("/index.html");

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    /*
     * A last path segment with a dot names a file (/assets/app.js,
     * /favicon.ico): it was not found, so answer 404 instead of the app.
     */

    last = r->uri.data + r->uri.len;

    for (p = last; p > r->uri.data && p[-1] != '/'; p--) {
        if (p[-1] == '.') {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "meet spa: no file for \"%V\", not a client route",
                          ngx_meet_log_esc(&r->uri));
            return NGX_HTTP_NOT_FOUND;
        }
    }

    /* "/index.html" has its own exact location: no redirect loop */

    return ngx_http_internal_redirect(r, &index, NULL);
}


/* forwarding variables */


static ngx_uint_t
ngx_meet_routing_is_trusted(ngx_http_request_t *r)
{
    ngx_meet_routing_loc_conf_t  *rlcf;

    rlcf = ngx_http_get_module_loc_conf(r, ngx_meet_routing_module);

    if (rlcf->trusted == NULL) {
        return 0;
    }

    return ngx_cidr_match(r->connection->sockaddr, rlcf->trusted) == NGX_OK;
}


static ngx_int_t
ngx_meet_routing_forwarded_proto_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    u_char           *p, *last;
    ngx_str_t        *proto;
    ngx_table_elt_t  *h;

    proto = &ngx_meet_routing_http;

#if (NGX_HTTP_SSL)
    if (r->connection->ssl) {
        proto = &ngx_meet_routing_https;
        goto done;
    }
#endif

    if (!ngx_meet_routing_is_trusted(r)) {
        goto done;
    }

    h = ngx_meet_header(&r->headers_in.headers, "X-Forwarded-Proto",
                             sizeof("X-Forwarded-Proto") - 1);
    if (h == NULL) {
        goto done;
    }

    /* the first value is the one the outermost trusted proxy saw */

    last = h->value.data + h->value.len;
    for (p = h->value.data; p < last && *p != ','; p++) { /* void */ }

    while (p > h->value.data && p[-1] == ' ') {
        p--;
    }

    if (p - h->value.data == 5
        && ngx_strncasecmp(h->value.data, (u_char *) "https", 5) == 0)
    {
        proto = &ngx_meet_routing_https;

    } else if (!(p - h->value.data == 4
                 && ngx_strncasecmp(h->value.data, (u_char *) "http", 4)
                    == 0))
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet: ignoring X-Forwarded-Proto \"%V\" from trusted "
                      "proxy, using \"http\"", ngx_meet_log_esc(&h->value));
    }

done:

    v->len = proto->len;
    v->data = proto->data;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}


static ngx_int_t
ngx_meet_routing_forwarded_for_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    u_char           *p;
    size_t            len;
    ngx_table_elt_t  *h;

    /*
     * A client's own X-Forwarded-For is dropped unless it comes from a
     * trusted proxy, so backends never see a forged chain.
     */

    h = NULL;

    if (ngx_meet_routing_is_trusted(r)) {
        h = ngx_meet_header(&r->headers_in.headers, "X-Forwarded-For",
                                 sizeof("X-Forwarded-For") - 1);
    }

    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    if (h == NULL || h->value.len == 0) {
        v->len = r->connection->addr_text.len;
        v->data = r->connection->addr_text.data;
        return NGX_OK;
    }

    len = h->value.len + sizeof(", ") - 1 + r->connection->addr_text.len;

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    v->len = len;
    v->data = p;

    p = ngx_cpymem(p, h->value.data, h->value.len);
    *p++ = ','; *p++ = ' ';
    ngx_memcpy(p, r->connection->addr_text.data,
               r->connection->addr_text.len);

    return NGX_OK;
}


static ngx_int_t
ngx_meet_routing_forwarded_host_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_str_t        *host;
    ngx_table_elt_t  *h;

    /* the Host header as the client sent it: with its port */
    host = r->headers_in.host ? &r->headers_in.host->value
                              : &r->headers_in.server;

    if (ngx_meet_routing_is_trusted(r)) {
        h = ngx_meet_header(&r->headers_in.headers, "X-Forwarded-Host",
                                 sizeof("X-Forwarded-Host") - 1);
        if (h && h->value.len) {
            host = &h->value;
        }
    }

    if (host->len == 0) {
        v->not_found = 1;
        return NGX_OK;
    }

    v->len = host->len;
    v->data = host->data;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}


static ngx_int_t
ngx_meet_routing_upstream_connection_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    /* "upgrade" for WebSocket handshakes, else empty to keep keepalive */

    if (ngx_meet_header(&r->headers_in.headers, "Upgrade",
                        sizeof("Upgrade") - 1))
    {
        v->len = sizeof("upgrade") - 1;
        v->data = (u_char *) "upgrade";

    } else {
        v->len = 0;
        v->data = (u_char *) "";
    }

    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}


static void *
ngx_meet_routing_create_main_conf(ngx_conf_t *cf)
{
    ngx_str_t                      text[2];
    ngx_uint_t                     i;
    ngx_cidr_t                    *cidr;
    ngx_meet_routing_main_conf_t  *rmcf;

    rmcf = ngx_pcalloc(cf->pool, sizeof(ngx_meet_routing_main_conf_t));
    if (rmcf == NULL) {
        return NULL;
    }

    if (ngx_array_init(&rmcf->backends, cf->pool, 4,
                       sizeof(ngx_meet_routing_backend_t))
        != NGX_OK)
    {
        return NULL;
    }

    /* the default of meet_healthz_details_allow */

    rmcf->loopback = ngx_array_create(cf->pool, 2, sizeof(ngx_cidr_t));
    if (rmcf->loopback == NULL) {
        return NULL;
    }

    ngx_str_set(&text[0], "127.0.0.0/8");
    ngx_str_set(&text[1], "::1");

    for (i = 0; i < 2; i++) {
        cidr = ngx_array_push(rmcf->loopback);
        if (cidr == NULL || ngx_ptocidr(&text[i], cidr) != NGX_OK) {
            return NULL;
        }
    }

    return rmcf;
}


static void *
ngx_meet_routing_create_loc_conf(ngx_conf_t *cf)
{
    ngx_meet_routing_loc_conf_t  *rlcf;

    rlcf = ngx_pcalloc(cf->pool, sizeof(ngx_meet_routing_loc_conf_t));
    if (rlcf == NULL) {
        return NULL;
    }

    rlcf->trusted = NGX_CONF_UNSET_PTR;
    rlcf->health_allow = NGX_CONF_UNSET_PTR;
    rlcf->health = NGX_CONF_UNSET;
    rlcf->spa_fallback = NGX_CONF_UNSET;
    rlcf->health_checks = NGX_CONF_UNSET_PTR;

    return rlcf;
}


static char *
ngx_meet_routing_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_meet_routing_loc_conf_t  *prev = parent;
    ngx_meet_routing_loc_conf_t  *conf = child;

    ngx_meet_routing_main_conf_t  *rmcf;

    rmcf = ngx_http_conf_get_module_main_conf(cf, ngx_meet_routing_module);

    ngx_conf_merge_ptr_value(conf->trusted, prev->trusted, NULL);
    ngx_conf_merge_ptr_value(conf->health_allow, prev->health_allow,
                             rmcf->loopback);
    ngx_conf_merge_value(conf->health, prev->health, 0);
    ngx_conf_merge_value(conf->spa_fallback, prev->spa_fallback, 0);
    ngx_conf_merge_ptr_value(conf->health_checks, prev->health_checks, NULL);

    return NGX_CONF_OK;
}
