
/*
 * Copyright (C) ngx_meet authors
 *
 * The shared core of the ngx_meet modules.  Everything declared here is
 * defined once, in ngx_meet_core_module (linked into
 * ngx_meet_routing_module.so in a dynamic build), and used by the other
 * modules through nginx's RTLD_GLOBAL module loading.
 */


#ifndef _NGX_MEET_CORE_H_INCLUDED_
#define _NGX_MEET_CORE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <jansson.h>


#define NGX_MEET_VERSION        "0.1.0"
#define NGX_MEET_VER            "ngx_meet/" NGX_MEET_VERSION


/* health status of a component, worst last */
typedef enum {
    NGX_MEET_HEALTH_OK = 0,
    NGX_MEET_HEALTH_DEGRADED,
    NGX_MEET_HEALTH_DOWN
} ngx_meet_health_status_e;


typedef struct ngx_meet_health_s  ngx_meet_health_t;

/*
 * A component reports its state into "out" (a JSON object it may add
 * details to) and returns its status.  Called in a worker, must not block.
 */
typedef ngx_meet_health_status_e (*ngx_meet_health_pt)(ngx_meet_health_t *h,
    json_t *out, ngx_log_t *log);

struct ngx_meet_health_s {
    ngx_str_t                 name;
    ngx_meet_health_pt        handler;
    void                     *data;
};


typedef struct {
    ngx_array_t               health;      /* of ngx_meet_health_t */
} ngx_meet_core_conf_t;


/* NGX_OK when the core module is part of this configuration */
ngx_int_t ngx_meet_core_check(ngx_conf_t *cf);

ngx_int_t ngx_meet_health_register(ngx_conf_t *cf, const char *name,
    ngx_meet_health_pt handler, void *data);
ngx_array_t *ngx_meet_health_components(ngx_cycle_t *cycle);
const char *ngx_meet_health_status_name(ngx_meet_health_status_e status);

/* serialize a JSON value into pool memory; NGX_ERROR on failure */
ngx_int_t ngx_meet_json_dump(ngx_pool_t *pool, json_t *value, ngx_str_t *out);

/*
 * Parses generated configuration text in the current context as if it
 * stood in "file" at "line" (so nginx's own error messages point at the
 * directive that generated it).
 */
char *ngx_meet_conf_parse_text(ngx_conf_t *cf, ngx_str_t *text,
    ngx_str_t *file, ngx_uint_t line);


extern ngx_module_t  ngx_meet_core_module;


#endif /* _NGX_MEET_CORE_H_INCLUDED_ */
