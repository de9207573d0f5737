
/*
 * Copyright (C) ngx_meet authors
 *
 * The forwarding table and its registry: the one owner of the entries of
 * ngx_meet_media.h (read its rules first).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_meet_media.h"


static void ngx_meet_media_insert(ngx_rbtree_node_t *temp,
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel);
static void ngx_meet_media_transport_free_end(ngx_meet_media_transport_t *ms);
static void ngx_meet_media_uptrack_free_end(ngx_meet_uptrack_t *up);
static void ngx_meet_media_downtrack_free_end(ngx_meet_downtrack_t *d);
static void ngx_meet_media_state_end(ngx_meet_media_transport_t *ms,
    ngx_meet_media_state_e state);
static void ngx_meet_media_uptrack_unlink(ngx_meet_uptrack_t *up);
static void ngx_meet_media_data_end(ngx_meet_media_transport_t *ms,
    ngx_meet_media_data_kind_e kind, u_char *data, size_t len);


ngx_meet_media_transport_free_pt    ngx_meet_media_top_transport_free;
ngx_meet_media_uptrack_free_pt    ngx_meet_media_top_uptrack_free;
ngx_meet_media_downtrack_free_pt  ngx_meet_media_top_downtrack_free;
ngx_meet_media_state_pt           ngx_meet_media_top_state;
ngx_meet_media_data_pt            ngx_meet_media_top_data;
ngx_meet_media_data_send_pt       ngx_meet_media_data_sender;


/* media transports of this worker, by our ICE ufrag */
static ngx_rbtree_t       ngx_meet_media_transports;
static ngx_rbtree_node_t  ngx_meet_media_sentinel;

/* the worker's memory budget for media (rule 7) */
static size_t             ngx_meet_media_mem_budget;
static size_t             ngx_meet_media_mem_used;
static ngx_uint_t         ngx_meet_media_mem_refused;
static ngx_uint_t         ngx_meet_media_mem_short;  /* refused since the
                                                        last release */


void
ngx_meet_media_hooks_init(void)
{
    ngx_meet_media_top_transport_free = ngx_meet_media_transport_free_end;
    ngx_meet_media_top_uptrack_free = ngx_meet_media_uptrack_free_end;
    ngx_meet_media_top_downtrack_free = ngx_meet_media_downtrack_free_end;
    ngx_meet_media_top_state = ngx_meet_media_state_end;
    ngx_meet_media_top_data = ngx_meet_media_data_end;
    ngx_meet_media_data_sender = NULL;
}


void
ngx_meet_media_init_process(size_t memory_budget)
{
    ngx_rbtree_init(&ngx_meet_media_transports, &ngx_meet_media_sentinel,
                    ngx_meet_media_insert);

    ngx_meet_media_mem_budget = memory_budget;
    ngx_meet_media_mem_used = 0;
    ngx_meet_media_mem_refused = 0;
    ngx_meet_media_mem_short = 0;
}


ngx_int_t
ngx_meet_media_mem_charge(size_t size)
{
    if (size > ngx_meet_media_mem_budget - ngx_meet_media_mem_used) {
        ngx_meet_media_mem_refused++;
        ngx_meet_media_mem_short = 1;
        return NGX_DECLINED;
    }

    ngx_meet_media_mem_used += size;

    return NGX_OK;
}


void
ngx_meet_media_mem_release(size_t size)
{
    if (size == 0) {
        return;
    }

    ngx_meet_media_mem_short = 0;

    if (size > ngx_meet_media_mem_used) {
        ngx_log_error(NGX_LOG_ALERT, ngx_cycle->log, 0,
                      "meet media: %uz bytes released, only %uz charged",
                      size, ngx_meet_media_mem_used);
        size = ngx_meet_media_mem_used;
    }

    ngx_meet_media_mem_used -= size;
}


/*
 * Spent: the last sixteenth of the budget is for the tracks of those in
 * (their histories grow with their rates), and after a refused charge
 * nobody new comes in until something is given back.
 */

ngx_uint_t
ngx_meet_media_mem_full(void)
{
    return ngx_meet_media_mem_short
           || ngx_meet_media_mem_used
              >= ngx_meet_media_mem_budget - ngx_meet_media_mem_budget / 16;
}


void
ngx_meet_media_mem_stats(size_t *used, size_t *budget, ngx_uint_t *refused)
{
    *used = ngx_meet_media_mem_used;
    *budget = ngx_meet_media_mem_budget;
    *refused = ngx_meet_media_mem_refused;
}


/* the ends of the hook chains: nothing left to release */

static void
ngx_meet_media_transport_free_end(ngx_meet_media_transport_t *ms)
{
}


static void
ngx_meet_media_uptrack_free_end(ngx_meet_uptrack_t *up)
{
}


static void
ngx_meet_media_downtrack_free_end(ngx_meet_downtrack_t *d)
{
}


static void
ngx_meet_media_state_end(ngx_meet_media_transport_t *ms,
    ngx_meet_media_state_e state)
{
}


/* ---- transports and the registry ----------------------------------------- */


ngx_meet_media_transport_t *
ngx_meet_media_transport_create(ngx_str_t *ufrag, ngx_str_t *pwd, void *owner,
    ngx_log_t *log)
{
    ngx_meet_media_transport_t  *ms;

    if (ufrag->len == 0 || ufrag->len > NGX_MEET_ICE_UFRAG_MAX
        || pwd->len > NGX_MEET_ICE_PWD_MAX)
    {
        ngx_log_error(NGX_LOG_ALERT, log, 0,
                      "meet media: ICE credentials of %uz and %uz bytes",
                      ufrag->len, pwd->len);
        return NULL;
    }

    ms = ngx_calloc(sizeof(ngx_meet_media_transport_t), log);
    if (ms == NULL) {
        return NULL;
    }

    ms->local_ufrag.data = ms->ufrag_buf;
    ms->local_ufrag.len = ufrag->len;
    ngx_memcpy(ms->ufrag_buf, ufrag->data, ufrag->len);

    ms->local_pwd.data = ms->pwd_buf;
    ms->local_pwd.len = pwd->len;
    ngx_memcpy(ms->pwd_buf, pwd->data, pwd->len);

    ms->owner = owner;
    ms->log = log;

    ms->node.key = ngx_crc32_short(ms->local_ufrag.data, ms->local_ufrag.len);
    ngx_rbtree_insert(&ngx_meet_media_transports, &ms->node);

    return ms;
}


void
ngx_meet_media_transport_free(ngx_meet_media_transport_t *ms)
{
    if (ms == NULL) {
        return;
    }

    /* what it receives, then what it publishes (with the others' copies) */

    while (ms->ndown) {
        ngx_meet_media_downtrack_free(ms->down[0]);
    }

    while (ms->nup) {
        ngx_meet_media_uptrack_free(ms->up[0]->main ? ms->up[0]->main
                                                    : ms->up[0]);
    }

    ngx_meet_media_top_transport_free(ms);

    ngx_rbtree_delete(&ngx_meet_media_transports, &ms->node);
    ngx_free(ms);
}


ngx_meet_media_transport_t *
ngx_meet_media_transport_find(const u_char *ufrag, size_t len)
{
    uint32_t                     hash;
    ngx_int_t                    rc;
    ngx_rbtree_node_t           *node, *sentinel;
    ngx_meet_media_transport_t  *s;

    if (ngx_meet_media_transports.root == NULL) {
        return NULL;
    }

    hash = ngx_crc32_short((u_char *) ufrag, len);

    node = ngx_meet_media_transports.root;
    sentinel = ngx_meet_media_transports.sentinel;

    while (node != sentinel) {

        if (hash != node->key) {
            node = (hash < node->key) ? node->left : node->right;
            continue;
        }

        s = (ngx_meet_media_transport_t *) node;

        rc = ngx_memn2cmp((u_char *) ufrag, s->local_ufrag.data, len,
                          s->local_ufrag.len);
        if (rc == 0) {
            return s;
        }

        node = (rc < 0) ? node->left : node->right;
    }

    return NULL;
}


static void
ngx_meet_media_insert(ngx_rbtree_node_t *temp, ngx_rbtree_node_t *node,
    ngx_rbtree_node_t *sentinel)
{
    ngx_int_t                    rc;
    ngx_rbtree_node_t          **p;
    ngx_meet_media_transport_t  *n, *t;

    for ( ;; ) {

        if (node->key != temp->key) {
            p = (node->key < temp->key) ? &temp->left : &temp->right;

        } else {
            n = (ngx_meet_media_transport_t *) node;
            t = (ngx_meet_media_transport_t *) temp;

            rc = ngx_memn2cmp(n->local_ufrag.data, t->local_ufrag.data,
                              n->local_ufrag.len, t->local_ufrag.len);

            p = (rc < 0) ? &temp->left : &temp->right;
        }

        if (*p == sentinel) {
            break;
        }

        temp = *p;
    }

    *p = node;
    node->parent = temp;
    node->left = sentinel;
    node->right = sentinel;
    ngx_rbt_red(node);
}


void
ngx_meet_media_state(ngx_meet_media_transport_t *ms,
    ngx_meet_media_state_e state)
{
    ngx_meet_media_top_state(ms, state);
}


/* ---- uptracks ---------------------------------------------------------- */


ngx_meet_uptrack_t *
ngx_meet_media_uptrack_add(ngx_meet_media_transport_t *pub, void *owner)
{
    ngx_meet_uptrack_t  *up;

    if (pub->nup == NGX_MEET_MAX_UPTRACKS) {
        return NULL;
    }

    up = ngx_calloc(sizeof(ngx_meet_uptrack_t), pub->log);
    if (up == NULL) {
        return NULL;
    }

    up->pub = pub;
    up->owner = owner;
    up->main = up;
    up->layers[0] = up;
    up->nlayers = 1;

    pub->up[pub->nup++] = up;

    return up;
}


ngx_meet_uptrack_t *
ngx_meet_media_uptrack_layer(ngx_meet_uptrack_t *main, ngx_uint_t k)
{
    ngx_meet_uptrack_t          *up;
    ngx_meet_media_transport_t  *pub;

    if (k == 0) {
        return main;
    }

    if (k >= NGX_MEET_MAX_LAYERS) {
        return NULL;
    }

    if (main->layers[k]) {
        return main->layers[k];
    }

    /* layers come in order: k - 1 exists */
    if (main->layers[k - 1] == NULL) {
        return NULL;
    }

    pub = main->pub;

    if (pub->nup == NGX_MEET_MAX_UPTRACKS) {
        return NULL;
    }

    up = ngx_calloc(sizeof(ngx_meet_uptrack_t), pub->log);
    if (up == NULL) {
        return NULL;
    }

    ngx_memcpy(up->mid, main->mid, main->mid_len);
    up->mid_len = main->mid_len;
    up->video = main->video;
    up->codec = main->codec;
    up->pt = main->pt;
    up->rtx_pt = main->rtx_pt;
    up->pub = pub;
    up->owner = main->owner;
    up->main = main;
    up->layer = k;

    main->layers[k] = up;
    main->nlayers = k + 1;
    pub->up[pub->nup++] = up;

    return up;
}


void
ngx_meet_media_uptrack_free(ngx_meet_uptrack_t *main)
{
    ngx_uint_t           k;
    ngx_meet_uptrack_t  *up;

    while (main->down) {
        ngx_meet_media_downtrack_free(main->down);
    }

    /* the layers above the main first, the main last */

    for (k = NGX_MEET_MAX_LAYERS; k-- > 0; /* void */) {
        up = main->layers[k];

        if (up == NULL) {
            continue;
        }

        ngx_meet_media_top_uptrack_free(up);
        ngx_meet_media_uptrack_unlink(up);
        main->layers[k] = NULL;

        if (up != main) {
            ngx_free(up);
        }
    }

    ngx_free(main);
}


static void
ngx_meet_media_uptrack_unlink(ngx_meet_uptrack_t *up)
{
    ngx_uint_t                   i;
    ngx_meet_media_transport_t  *pub;

    pub = up->pub;

    for (i = 0; i < pub->nup; i++) {
        if (pub->up[i] == up) {
            pub->up[i] = pub->up[--pub->nup];
            return;
        }
    }
}


/* ---- downtracks -------------------------------------------------------- */


ngx_meet_downtrack_t *
ngx_meet_media_downtrack_add(ngx_meet_media_transport_t *sub,
    ngx_meet_uptrack_t *main)
{
    ngx_meet_downtrack_t  *d;

    if (sub->ndown == NGX_MEET_MAX_DOWNTRACKS) {
        return NULL;
    }

    d = ngx_calloc(sizeof(ngx_meet_downtrack_t), sub->log);
    if (d == NULL) {
        return NULL;
    }

    d->up = main;
    d->sub = sub;
    d->need_keyframe = main->video;
    d->max_layer = NGX_MEET_MAX_LAYERS - 1;
    d->cap_layer = NGX_MEET_MAX_LAYERS - 1;

    d->next = main->down;
    main->down = d;
    sub->down[sub->ndown++] = d;

    return d;
}


ngx_meet_downtrack_t *
ngx_meet_media_downtrack_find(ngx_meet_media_transport_t *sub,
    ngx_meet_uptrack_t *main)
{
    ngx_uint_t  i;

    for (i = 0; i < sub->ndown; i++) {
        if (sub->down[i]->up == main) {
            return sub->down[i];
        }
    }

    return NULL;
}


void
ngx_meet_media_downtrack_free(ngx_meet_downtrack_t *d)
{
    ngx_uint_t                   i;
    ngx_meet_downtrack_t       **pp;
    ngx_meet_media_transport_t  *sub;

    ngx_meet_media_top_downtrack_free(d);

    /* out of the uptrack's list */
    for (pp = &d->up->down; *pp; pp = &(*pp)->next) {
        if (*pp == d) {
            *pp = d->next;
            break;
        }
    }

    /* out of the subscriber's array */
    sub = d->sub;
    for (i = 0; i < sub->ndown; i++) {
        if (sub->down[i] == d) {
            sub->down[i] = sub->down[--sub->ndown];
            break;
        }
    }

    ngx_free(d);
}


void
ngx_meet_media_downtrack_resume(ngx_meet_downtrack_t *d)
{
    d->paused = 0;
    d->need_keyframe = d->up->video;
}


/* ---- learnt values ----------------------------------------------------- */


void
ngx_meet_media_audio_level(ngx_meet_uptrack_t *up, ngx_uint_t level)
{
    /* 10^(-level/20) in 1/65535 for level % 6; every 6 dB more halves it */
    static const uint16_t  amplitude[6] = {
        65535, 58409, 52057, 46396, 41350, 36854
    };

    up->audio.packets++;

    if (level <= NGX_MEET_SPEAKING_DBOV) {
        up->audio.loud++;
        up->audio.amplitude += amplitude[level % 6] >> (level / 6);
    }
}


void
ngx_meet_media_audio_read(ngx_meet_uptrack_t *up,
    ngx_meet_media_audio_t *seen, ngx_meet_media_audio_t *delta)
{
    delta->packets = up->audio.packets - seen->packets;
    delta->loud = up->audio.loud - seen->loud;
    delta->amplitude = up->audio.amplitude - seen->amplitude;

    *seen = up->audio;
}


ngx_uint_t
ngx_meet_media_codec(const char *mime)
{
    if (mime == NULL || ngx_strncasecmp((u_char *) mime, (u_char *) "video/",
                                        6) != 0)
    {
        return NGX_MEET_CODEC_AUDIO;
    }

    mime += 6;

    if (ngx_strcasecmp((u_char *) mime, (u_char *) "VP8") == 0) {
        return NGX_MEET_CODEC_VP8;
    }

    if (ngx_strcasecmp((u_char *) mime, (u_char *) "VP9") == 0) {
        return NGX_MEET_CODEC_VP9;
    }

    if (ngx_strcasecmp((u_char *) mime, (u_char *) "H264") == 0) {
        return NGX_MEET_CODEC_H264;
    }

    return NGX_MEET_CODEC_AV1;
}


/* data channels (rule 8) */

void
ngx_meet_media_data(ngx_meet_media_transport_t *ms,
    ngx_meet_media_data_kind_e kind, u_char *data, size_t len)
{
    ngx_meet_media_top_data(ms, kind, data, len);
}


static void
ngx_meet_media_data_end(ngx_meet_media_transport_t *ms,
    ngx_meet_media_data_kind_e kind, u_char *data, size_t len)
{
}


ngx_int_t
ngx_meet_media_data_send(ngx_meet_media_transport_t *ms,
    ngx_meet_media_data_kind_e kind, u_char *data, size_t len)
{
    if (ngx_meet_media_data_sender == NULL) {
        return NGX_DECLINED;
    }

    return ngx_meet_media_data_sender(ms, kind, data, len);
}
