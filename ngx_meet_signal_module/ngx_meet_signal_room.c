
/*
 * Copyright (C) ngx_meet authors
 *
 * Rooms and participants of ngx_meet_signal_module, kept in the memory of
 * the worker process (the module requires worker_processes 1; see README).
 * Rooms are created by the first join, as LiveKit does, and deleted
 * departure_timeout after the last participant left.
 */


#include "ngx_meet_signal.h"
#include "ngx_meet_signal_ws.h"


/*
 * Active speakers, as LiveKit decides them: every NGX_MEET_SPEAKERS_INTERVAL
 * ms a participant speaks when at least NGX_MEET_SPEAKING_SHARE % of its
 * audio packets had a level (RFC 6464) of 35 dBov or louder; the changes go
 * to everyone in the room as SpeakersChanged.
 */
#define NGX_MEET_SPEAKERS_INTERVAL  500
#define NGX_MEET_SPEAKING_SHARE     40
#define NGX_MEET_SPEAKING_PACKETS   5

static void ngx_meet_signal_room_speakers(ngx_event_t *ev);


static void ngx_meet_signal_room_departure(ngx_event_t *ev);
static void ngx_meet_signal_room_free(ngx_meet_signal_room_t *room);


static ngx_rbtree_t       ngx_meet_signal_rooms;
static ngx_rbtree_node_t  ngx_meet_signal_rooms_sentinel;
static ngx_uint_t         ngx_meet_signal_nrooms;


void
ngx_meet_signal_rooms_init(void)
{
    ngx_rbtree_init(&ngx_meet_signal_rooms, &ngx_meet_signal_rooms_sentinel,
                    ngx_str_rbtree_insert_value);
    ngx_meet_signal_nrooms = 0;
}


char *
ngx_meet_signal_strdup(const char *s, size_t len)
{
    char  *p;

    p = ngx_alloc(len + 1, ngx_cycle->log);
    if (p == NULL) {
        return NULL;
    }

    ngx_memcpy(p, s, len);
    p[len] = '\0';

    return p;
}


ngx_meet_signal_room_t *
ngx_meet_signal_room_find(ngx_str_t *name)
{
    uint32_t  hash;

    hash = ngx_crc32_long(name->data, name->len);

    return (ngx_meet_signal_room_t *)
               ngx_str_rbtree_lookup(&ngx_meet_signal_rooms, name, hash);
}


ngx_meet_signal_room_t *
ngx_meet_signal_room_get(ngx_str_t *name, ngx_log_t *log)
{
    u_char                  *p;
    ngx_meet_signal_room_t  *room;

    room = ngx_meet_signal_room_find(name);
    if (room) {
        if (room->departure.timer_set) {
            ngx_del_timer(&room->departure);
        }

        return room;
    }

    room = ngx_calloc(sizeof(ngx_meet_signal_room_t), log);
    if (room == NULL) {
        return NULL;
    }

    room->name = ngx_meet_signal_strdup((char *) name->data, name->len);
    if (room->name == NULL) {
        ngx_free(room);
        return NULL;
    }

    room->sn.str.data = (u_char *) room->name;
    room->sn.str.len = name->len;
    room->sn.node.key = ngx_crc32_long(name->data, name->len);

    p = ngx_meet_random_id((u_char *) room->sid, "RM_", 12);
    *p = '\0';

    room->created_ms = (int64_t) ngx_time() * 1000
                       + (int64_t) ngx_timeofday()->msec;

    ngx_queue_init(&room->peers);

    room->departure.handler = ngx_meet_signal_room_departure;
    room->departure.data = room;
    room->departure.log = ngx_cycle->log;
    room->departure.cancelable = 1;

    room->speakers.handler = ngx_meet_signal_room_speakers;
    room->speakers.data = room;
    room->speakers.log = ngx_cycle->log;
    room->speakers.cancelable = 1;
    ngx_add_timer(&room->speakers, NGX_MEET_SPEAKERS_INTERVAL);

    ngx_rbtree_insert(&ngx_meet_signal_rooms, &room->sn.node);
    ngx_meet_signal_nrooms++;

    ngx_log_error(NGX_LOG_INFO, log, 0,
                  "meet signal: room \"%V\" created as %s",
                  ngx_meet_log_cesc(room->name), room->sid);

    return room;
}


static void
ngx_meet_signal_room_departure(ngx_event_t *ev)
{
    ngx_meet_signal_room_t  *room = ev->data;

    if (room->npeers) {
        return;
    }

    ngx_log_error(NGX_LOG_INFO, ev->log, 0,
                  "meet signal: room \"%V\" (%s) closed, empty",
                  ngx_meet_log_cesc(room->name), room->sid);

    ngx_meet_signal_room_free(room);
}


static void
ngx_meet_signal_room_free(ngx_meet_signal_room_t *room)
{
    if (room->departure.timer_set) {
        ngx_del_timer(&room->departure);
    }

    if (room->speakers.timer_set) {
        ngx_del_timer(&room->speakers);
    }

    ngx_rbtree_delete(&ngx_meet_signal_rooms, &room->sn.node);
    ngx_meet_signal_nrooms--;

    ngx_free(room->name);
    ngx_free(room);
}


static void
ngx_meet_signal_room_speakers(ngx_event_t *ev)
{
    ngx_meet_signal_room_t  *room = ev->data;

    char                     *sids, *sid;
    float                     level;
    uint64_t                  amplitude;
    uint32_t                  packets, loud;
    ngx_meet_media_audio_t    audio;
    ngx_uint_t                n, speaking;
    ngx_queue_t              *q, *tq, *next;
    ngx_meet_signal_peer_t   *p;
    ngx_meet_signal_track_t  *t;
    Livekit__SpeakerInfo     *info, **infos;
    ngx_meet_signal_msg_t     msg;
    Livekit__SpeakersChanged  sc;
    Livekit__SignalResponse   resp;

    if (!ngx_exiting) {
        ngx_add_timer(ev, NGX_MEET_SPEAKERS_INTERVAL);
    }

    if (room->npeers == 0) {
        return;
    }

    /* the entries, their pointers, copies of the sids (sending may close
       a slow peer) */
    info = ngx_alloc(room->npeers * (sizeof(Livekit__SpeakerInfo)
                                     + sizeof(Livekit__SpeakerInfo *)
                                     + NGX_MEET_SID_LEN + 1),
                     ev->log);
    if (info == NULL) {
        return;
    }

    infos = (Livekit__SpeakerInfo **) (info + room->npeers);
    sids = (char *) (infos + room->npeers);
    n = 0;

    for (q = ngx_queue_head(&room->peers);
         q != ngx_queue_sentinel(&room->peers);
         q = ngx_queue_next(q))
    {
        p = ngx_queue_data(q, ngx_meet_signal_peer_t, queue);

        packets = 0;
        loud = 0;
        amplitude = 0;

        for (tq = ngx_queue_head(&p->tracks);
             tq != ngx_queue_sentinel(&p->tracks);
             tq = ngx_queue_next(tq))
        {
            t = ngx_queue_data(tq, ngx_meet_signal_track_t, queue);

            if (t->up == NULL || t->up->video) {
                continue;
            }

            ngx_meet_media_audio_read(t->up, &t->audio_seen, &audio);

            packets += audio.packets;
            loud += audio.loud;
            amplitude += audio.amplitude;
        }

        speaking = (packets >= NGX_MEET_SPEAKING_PACKETS
                    && loud * 100 >= packets * NGX_MEET_SPEAKING_SHARE);

        if (speaking == p->speaking || n == room->npeers) {
            continue;
        }

        p->speaking = speaking;
        level = speaking ? (float) amplitude / loud / 65535 : 0;

        livekit__speaker_info__init(&info[n]);
        sid = sids + n * (NGX_MEET_SID_LEN + 1);
        (void) ngx_cpystrn((u_char *) sid, (u_char *) p->sid,
                           NGX_MEET_SID_LEN + 1);
        info[n].sid = sid;
        info[n].level = level;
        info[n].active = speaking;
        infos[n] = &info[n];
        n++;
    }

    if (n) {
        livekit__speakers_changed__init(&sc);
        sc.speakers = infos;
        sc.n_speakers = n;

        livekit__signal_response__init(&resp);
        resp.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_SPEAKERS_CHANGED;
        resp.speakers_changed = &sc;

        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, ev->log, 0,
                       "meet signal: room \"%s\": %ui speaker changes",
                       room->name, n);

        ngx_meet_signal_msg_init(&msg, &resp);

        for (q = ngx_queue_head(&room->peers);
             q != ngx_queue_sentinel(&room->peers);
             q = next)
        {
            /* sending may close a slow peer and remove it from the room
               (the last one: the room too; then next is the sentinel) */
            next = ngx_queue_next(q);
            p = ngx_queue_data(q, ngx_meet_signal_peer_t, queue);

            if (!p->closing) {
                (void) ngx_meet_signal_peer_send_msg(p, &msg);
            }
        }

        ngx_meet_signal_msg_free(&msg);
    }

    ngx_free(info);
}


void
ngx_meet_signal_room_add_peer(ngx_meet_signal_room_t *room,
    ngx_meet_signal_peer_t *peer)
{
    ngx_queue_insert_tail(&room->peers, &peer->queue);
    room->npeers++;
    peer->room = room;
    peer->in_room = 1;
}


void
ngx_meet_signal_room_remove_peer(ngx_meet_signal_peer_t *peer,
    ngx_msec_t departure)
{
    ngx_meet_signal_room_t  *room;

    if (!peer->in_room) {
        return;
    }

    room = peer->room;

    ngx_queue_remove(&peer->queue);
    room->npeers--;
    peer->in_room = 0;

    /* the others learn that it left */
    peer->state = LIVEKIT__PARTICIPANT_INFO__STATE__DISCONNECTED;
    peer->version++;
    ngx_meet_signal_room_broadcast(peer, 0);

    if (room->npeers == 0) {
        if (departure && !ngx_exiting && !ngx_terminate && !ngx_quit) {
            ngx_add_timer(&room->departure, departure);

        } else {
            ngx_meet_signal_room_free(room);
        }
    }

    peer->room = NULL;
}


ngx_meet_signal_peer_t *
ngx_meet_signal_room_find_identity(ngx_meet_signal_room_t *room,
    const char *identity)
{
    ngx_queue_t             *q;
    ngx_meet_signal_peer_t  *p;

    for (q = ngx_queue_head(&room->peers);
         q != ngx_queue_sentinel(&room->peers);
         q = ngx_queue_next(q))
    {
        p = ngx_queue_data(q, ngx_meet_signal_peer_t, queue);

        if (ngx_strcmp(p->identity, identity) == 0) {
            return p;
        }
    }

    return NULL;
}


ngx_uint_t
ngx_meet_signal_rooms_count(ngx_uint_t *participants)
{
    ngx_uint_t               n;
    ngx_meet_signal_room_t  *room;
    ngx_rbtree_node_t       *node, *root, *sentinel;

    n = 0;
    root = ngx_meet_signal_rooms.root;
    sentinel = ngx_meet_signal_rooms.sentinel;

    if (root != sentinel) {
        for (node = ngx_rbtree_min(root, sentinel);
             node;
             node = ngx_rbtree_next(&ngx_meet_signal_rooms, node))
        {
            room = (ngx_meet_signal_room_t *) node;
            n += room->npeers;
        }
    }

    *participants = n;

    return ngx_meet_signal_nrooms;
}


void
ngx_meet_signal_rooms_foreach_peer(void (*handler)(ngx_meet_signal_peer_t *peer,
    void *data), void *data)
{
    ngx_queue_t             *q, *next;
    ngx_meet_signal_room_t  *room;
    ngx_rbtree_node_t       *node, *root, *sentinel, *nnode;

    root = ngx_meet_signal_rooms.root;
    sentinel = ngx_meet_signal_rooms.sentinel;

    if (root == sentinel) {
        return;
    }

    /* handlers may remove peers and rooms: fetch "next" first */

    for (node = ngx_rbtree_min(root, sentinel); node; node = nnode) {
        nnode = ngx_rbtree_next(&ngx_meet_signal_rooms, node);
        room = (ngx_meet_signal_room_t *) node;

        for (q = ngx_queue_head(&room->peers);
             q != ngx_queue_sentinel(&room->peers);
             q = next)
        {
            next = ngx_queue_next(q);
            handler(ngx_queue_data(q, ngx_meet_signal_peer_t, queue), data);
        }
    }
}


ngx_meet_signal_track_t *
ngx_meet_signal_peer_track(ngx_meet_signal_peer_t *peer, const char *sid,
    const char *cid)
{
    ngx_queue_t              *q;
    ngx_meet_signal_track_t  *t;

    for (q = ngx_queue_head(&peer->tracks);
         q != ngx_queue_sentinel(&peer->tracks);
         q = ngx_queue_next(q))
    {
        t = ngx_queue_data(q, ngx_meet_signal_track_t, queue);

        if ((sid && ngx_strcmp(t->sid, sid) == 0)
            || (cid && t->cid && ngx_strcmp(t->cid, cid) == 0))
        {
            return t;
        }
    }

    return NULL;
}


void
ngx_meet_signal_track_free(ngx_meet_signal_peer_t *peer,
    ngx_meet_signal_track_t *t)
{
    ngx_uint_t  i;

    /* out of the forwarding table, with every copy of it */
    if (t->up) {
        ngx_meet_media_uptrack_free(t->up);
        t->up = NULL;
    }

    ngx_queue_remove(&t->queue);
    peer->ntracks--;

    for (i = 0; i < t->ncodecs; i++) {
        ngx_free(t->codec_mime[i]);
        ngx_free(t->codec_cid[i]);
    }

    ngx_free(t->cid);
    ngx_free(t->name);
    ngx_free(t->mid);
    ngx_free(t->mime);
    ngx_free(t->stream);
    ngx_free(t);
}


ngx_int_t
ngx_meet_signal_track_info(ngx_meet_signal_track_t *t, ngx_pool_t *pool,
    Livekit__TrackInfo *ti)
{
    ngx_uint_t                    i;
    Livekit__SimulcastCodecInfo  *ci;

    livekit__track_info__init(ti);

    ti->sid = t->sid;
    ti->type = t->type;
    ti->name = t->name ? t->name : "";
    ti->muted = t->muted;
    ti->width = t->width;
    ti->height = t->height;
    ti->source = t->source;
    ti->mime_type = t->mime ? t->mime : "";
    ti->mid = t->mid ? t->mid : "";
    ti->stream = t->stream ? t->stream : "";

    if (t->ncodecs == 0) {
        return NGX_OK;
    }

    ti->codecs = ngx_palloc(pool, t->ncodecs
                                  * sizeof(Livekit__SimulcastCodecInfo *));
    ci = ngx_palloc(pool, t->ncodecs * sizeof(Livekit__SimulcastCodecInfo));
    if (ti->codecs == NULL || ci == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < t->ncodecs; i++) {
        livekit__simulcast_codec_info__init(&ci[i]);
        ci[i].mime_type = t->codec_mime[i];
        ci[i].cid = t->codec_cid[i];
        ci[i].mid = (i == 0 && t->mid) ? t->mid : "";
        ti->codecs[i] = &ci[i];
    }

    ti->n_codecs = t->ncodecs;

    return NGX_OK;
}


ngx_int_t
ngx_meet_signal_peer_info(ngx_meet_signal_peer_t *peer, ngx_pool_t *pool,
    Livekit__ParticipantInfo *pi)
{
    size_t                                      n;
    void                                       *it;
    const char                                 *key;
    json_t                                     *v;
    ngx_uint_t                                  i;
    ngx_queue_t                                *q;
    ngx_meet_signal_track_t                    *t;
    Livekit__TrackInfo                         *ti;
    Livekit__ParticipantPermission             *perm;
    Livekit__ParticipantInfo__AttributesEntry  *ae;

    livekit__participant_info__init(pi);

    pi->sid = peer->sid;
    pi->identity = peer->identity;
    pi->state = peer->state;
    pi->metadata = peer->metadata ? peer->metadata : "";
    pi->name = peer->name ? peer->name : "";
    pi->joined_at = peer->joined_at_ms / 1000;
    pi->joined_at_ms = peer->joined_at_ms;
    pi->version = peer->version;
    pi->is_publisher = 0;
    pi->client_protocol = peer->client_protocol;

    perm = ngx_palloc(pool, sizeof(Livekit__ParticipantPermission));
    if (perm == NULL) {
        return NGX_ERROR;
    }

    livekit__participant_permission__init(perm);
    perm->can_subscribe = peer->can_subscribe;
    perm->can_publish = peer->can_publish;
    perm->can_publish_data = peer->can_publish_data;
    perm->hidden = peer->hidden;
    perm->can_update_metadata = peer->can_update_metadata;

    if (peer->sources_restricted) {
        perm->can_publish_sources = ngx_palloc(pool, 5 * sizeof(int));
        if (perm->can_publish_sources == NULL) {
            return NGX_ERROR;
        }

        for (i = 1; i <= 4; i++) {
            if (peer->sources & (1u << i)) {
                perm->can_publish_sources[perm->n_can_publish_sources++] =
                                                                  (int) i;
            }
        }
    }

    pi->permission = perm;

    if (peer->ntracks) {
        pi->tracks = ngx_palloc(pool, peer->ntracks
                                      * sizeof(Livekit__TrackInfo *));
        ti = ngx_palloc(pool, peer->ntracks * sizeof(Livekit__TrackInfo));
        if (pi->tracks == NULL || ti == NULL) {
            return NGX_ERROR;
        }

        n = 0;

        for (q = ngx_queue_head(&peer->tracks);
             q != ngx_queue_sentinel(&peer->tracks);
             q = ngx_queue_next(q))
        {
            t = ngx_queue_data(q, ngx_meet_signal_track_t, queue);

            /* others see a track once its media section exists */
            if (!t->published) {
                continue;
            }

            if (ngx_meet_signal_track_info(t, pool, &ti[n]) != NGX_OK) {
                return NGX_ERROR;
            }

            pi->tracks[n] = &ti[n];
            n++;
        }

        pi->n_tracks = n;
        pi->is_publisher = (n > 0);
    }

    if (peer->attributes && json_object_size(peer->attributes)) {
        n = json_object_size(peer->attributes);

        pi->attributes = ngx_palloc(pool,
                   n * sizeof(Livekit__ParticipantInfo__AttributesEntry *));
        ae = ngx_palloc(pool,
                        n * sizeof(Livekit__ParticipantInfo__AttributesEntry));
        if (pi->attributes == NULL || ae == NULL) {
            return NGX_ERROR;
        }

        i = 0;

        json_object_foreach_safe(peer->attributes, it, key, v) {
            if (!json_is_string(v) || i == n) {
                continue;
            }

            livekit__participant_info__attributes_entry__init(&ae[i]);
            ae[i].key = (char *) key;
            ae[i].value = (char *) json_string_value(v);
            pi->attributes[i] = &ae[i];
            i++;
        }

        pi->n_attributes = i;
    }

    return NGX_OK;
}


ngx_int_t
ngx_meet_signal_room_info(ngx_meet_signal_room_t *room, ngx_pool_t *pool,
    Livekit__Room *ri)
{
    ngx_uint_t        i;
    Livekit__Codec   *codecs, **pcodecs;

    static char      *mimes[] = {
        "audio/opus", "audio/red", "video/VP8", "video/H264", "video/VP9",
        "video/AV1"
    };

    livekit__room__init(ri);

    ri->sid = room->sid;
    ri->name = room->name;
    ri->empty_timeout = 300;
    ri->departure_timeout = 20;
    ri->creation_time = room->created_ms / 1000;
    ri->creation_time_ms = room->created_ms;
    ri->num_participants = room->npeers;
    ri->metadata = "";
    ri->turn_password = "";

    codecs = ngx_palloc(pool, sizeof(mimes) / sizeof(mimes[0])
                              * sizeof(Livekit__Codec));
    pcodecs = ngx_palloc(pool, sizeof(mimes) / sizeof(mimes[0])
                               * sizeof(Livekit__Codec *));
    if (codecs == NULL || pcodecs == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < sizeof(mimes) / sizeof(mimes[0]); i++) {
        livekit__codec__init(&codecs[i]);
        codecs[i].mime = mimes[i];
        codecs[i].fmtp_line = "";
        pcodecs[i] = &codecs[i];
    }

    ri->enabled_codecs = pcodecs;
    ri->n_enabled_codecs = i;

    return NGX_OK;
}


/*
 * A ParticipantUpdate about one participant to every other in its room;
 * with "self" to the participant too, as livekit-server does after a
 * metadata update (pkg/rtc/room.go broadcastParticipantState: "send it to
 * the same participant immediately", hidden ones included): livekit-client
 * resolves setName()/setMetadata()/setAttributes() when it sees its own
 * new values (src/room/participant/LocalParticipant.ts
 * requestMetadataUpdate).
 */

void
ngx_meet_signal_room_broadcast(ngx_meet_signal_peer_t *about,
    ngx_uint_t self)
{
    ngx_pool_t                *pool;
    ngx_queue_t               *q, *next;
    ngx_meet_signal_peer_t    *p;
    ngx_meet_signal_room_t    *room;
    ngx_meet_signal_msg_t      msg;
    Livekit__ParticipantInfo   pi, *pis[1];
    Livekit__SignalResponse    resp;
    Livekit__ParticipantUpdate upd;

    room = about->room;

    if (room == NULL || (about->hidden && !self)) {
        return;
    }

    pool = ngx_create_pool(4096, ngx_cycle->log);
    if (pool == NULL) {
        return;
    }

    if (ngx_meet_signal_peer_info(about, pool, &pi) != NGX_OK) {
        ngx_destroy_pool(pool);
        return;
    }

    livekit__participant_update__init(&upd);
    pis[0] = &pi;
    upd.participants = pis;
    upd.n_participants = 1;

    livekit__signal_response__init(&resp);
    resp.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_UPDATE;
    resp.update = &upd;

    /* the same bytes for everyone: packed once; a newer update about the
       participant replaces one a slow reader has not started */
    ngx_meet_signal_msg_init(&msg, &resp);
    msg.about = about->sid;

    for (q = ngx_queue_head(&room->peers);
         q != ngx_queue_sentinel(&room->peers);
         q = next)
    {
        /* sending may close a slow peer and remove it from the room */
        next = ngx_queue_next(q);
        p = ngx_queue_data(q, ngx_meet_signal_peer_t, queue);

        if (p == about ? !self : about->hidden) {
            continue;
        }

        (void) ngx_meet_signal_peer_send_msg(p, &msg);
    }

    ngx_meet_signal_msg_free(&msg);
    ngx_destroy_pool(pool);
}


/*
 * The size of a participant's attributes as LiveKit counts it against
 * limit.max_attributes_size: the bytes of every key and value
 * (livekit-server pkg/config/config.go CheckAttributesSize).
 */

size_t
ngx_meet_signal_attributes_size(json_t *attributes)
{
    size_t       size;
    json_t      *v;
    const char  *key;

    size = 0;

    if (attributes == NULL) {
        return 0;
    }

    json_object_foreach(attributes, key, v) {
        size += ngx_strlen(key) + json_string_length(v);
    }

    return size;
}


/*
 * One attribute of an update: an empty value deletes the key
 * (livekit-server pkg/rtc/participant.go SetAttributes).
 */

ngx_int_t
ngx_meet_signal_attribute_set(json_t *attributes, const char *key,
    const char *value)
{
    json_t  *v;

    if (key == NULL || value == NULL) {
        return NGX_ERROR;
    }

    if (value[0] == '\0') {
        (void) json_object_del(attributes, key);
        return NGX_OK;
    }

    v = json_string(value);
    if (v == NULL) {
        /* not UTF-8: jansson keeps text only */
        return NGX_ERROR;
    }

    return json_object_set_new(attributes, key, v) == 0 ? NGX_OK : NGX_ERROR;
}
