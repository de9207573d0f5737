
/*
 * Copyright (C) ngx_meet authors
 *
 * LiveKit data messages: decode, check, rewrite the sender, route (see
 * meet_lk_data.h).
 */


#include <stdlib.h>
#include <string.h>
#include "meet_lk_data.h"
#include "meet_ws.h"


/* DataPacket's messages nest three deep (DataPacket, DataStream.Header,
   its map entries); nothing in them is recursive */
#define MEET_LK_DATA_DEPTH  8


static const char  *meet_lk_data_reasons[MEET_LK_DATA_NREASONS] = {
    "ok",
    "too_large",
    "malformed",
    "bad_utf8",
    "too_many_destinations",
    "server_only",
    "not_relayed",
    "old_sequence",
    "duplicate"
};


const char *
meet_lk_data_reason_name(meet_lk_data_reason_e reason)
{
    if ((unsigned) reason >= MEET_LK_DATA_NREASONS) {
        return "unknown";
    }

    return meet_lk_data_reasons[reason];
}


/*
 * Every string field of m and of the messages in it is UTF-8, and every
 * unknown field has a valid number (protobuf-c takes an overlong tag of
 * field 0 as an unknown field and would pack it as one no decoder takes):
 * MEET_LK_DATA_OK, else the reason.
 */

static meet_lk_data_reason_e
meet_lk_data_check(const ProtobufCMessage *m, unsigned depth)
{
    meet_lk_data_reason_e              r;
    size_t                             i, j, n;
    const char                        *base, *s;
    const void                        *p;
    const ProtobufCFieldDescriptor    *f;
    const ProtobufCMessageDescriptor  *d;

    if (depth > MEET_LK_DATA_DEPTH) {
        return MEET_LK_DATA_MALFORMED;
    }

    for (i = 0; i < m->n_unknown_fields; i++) {
        if (m->unknown_fields[i].tag == 0
            || m->unknown_fields[i].tag > 0x1fffffff)
        {
            return MEET_LK_DATA_MALFORMED;
        }
    }

    d = m->descriptor;
    base = (const char *) m;

    for (i = 0; i < d->n_fields; i++) {
        f = &d->fields[i];

        if (f->type != PROTOBUF_C_TYPE_STRING
            && f->type != PROTOBUF_C_TYPE_MESSAGE)
        {
            continue;
        }

        if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
            && *(const uint32_t *) (base + f->quantifier_offset) != f->id)
        {
            continue;
        }

        p = base + f->offset;

        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            n = *(const size_t *) (base + f->quantifier_offset);

            for (j = 0; j < n; j++) {
                if (f->type == PROTOBUF_C_TYPE_STRING) {
                    s = (*(char * const *const *) p)[j];

                    if (s && !meet_ws_utf8_valid((const u_char *) s,
                                                 strlen(s)))
                    {
                        return MEET_LK_DATA_BAD_UTF8;
                    }

                    continue;
                }

                r = meet_lk_data_check(
                        (*(ProtobufCMessage * const *const *) p)[j],
                        depth + 1);
                if (r != MEET_LK_DATA_OK) {
                    return r;
                }
            }

            continue;
        }

        if (f->type == PROTOBUF_C_TYPE_STRING) {
            s = *(char * const *) p;

            if (s && !meet_ws_utf8_valid((const u_char *) s, strlen(s))) {
                return MEET_LK_DATA_BAD_UTF8;
            }

            continue;
        }

        if (*(ProtobufCMessage * const *) p) {
            r = meet_lk_data_check(*(ProtobufCMessage * const *) p,
                                   depth + 1);
            if (r != MEET_LK_DATA_OK) {
                return r;
            }
        }
    }

    return MEET_LK_DATA_OK;
}


meet_lk_data_reason_e
meet_lk_data_decode(const uint8_t *data, size_t len,
    const meet_lk_data_limits_t *limits, ProtobufCAllocator *allocator,
    Livekit__DataPacket **out)
{
    size_t                 dests;
    Livekit__DataPacket   *dp;
    meet_lk_data_reason_e  r;

    if (len > limits->max_size) {
        return MEET_LK_DATA_TOO_LARGE;
    }

    dp = livekit__data_packet__unpack(allocator, len, data);
    if (dp == NULL) {
        return MEET_LK_DATA_MALFORMED;
    }

    r = meet_lk_data_check(&dp->base, 0);
    if (r != MEET_LK_DATA_OK) {
        livekit__data_packet__free_unpacked(dp, allocator);
        return r;
    }

    dests = dp->n_destination_identities;

    if (dp->value_case == LIVEKIT__DATA_PACKET__VALUE_USER) {
        dests += dp->user->n_destination_identities
                 + dp->user->n_destination_sids;
    }

    if (dests > limits->max_destinations) {
        livekit__data_packet__free_unpacked(dp, allocator);
        return MEET_LK_DATA_TOO_MANY_DESTINATIONS;
    }

    *out = dp;

    return MEET_LK_DATA_OK;
}


static void *
meet_lk_data_alloc(ProtobufCAllocator *a, size_t size)
{
    return a ? a->alloc(a->allocator_data, size) : malloc(size);
}


static void
meet_lk_data_free(ProtobufCAllocator *a, void *p)
{
    if (p == NULL) {
        return;
    }

    if (a) {
        a->free(a->allocator_data, p);

    } else {
        free(p);
    }
}


/* *field = a copy of v (NULL: no field), the old value freed; 0 or -1 */

static int
meet_lk_data_set(ProtobufCAllocator *a, char **field, const char *v)
{
    char    *s;
    size_t   n;

    s = NULL;

    if (v) {
        n = strlen(v) + 1;

        s = meet_lk_data_alloc(a, n);
        if (s == NULL) {
            return -1;
        }

        memcpy(s, v, n);
    }

    meet_lk_data_free(a, *field);
    *field = s;

    return 0;
}


/* *dst (of *ndst) = copies of src[0..n), the old list freed; 0 or -1 */

static int
meet_lk_data_set_list(ProtobufCAllocator *a, char ***dst, size_t *ndst,
    char **src, size_t n)
{
    size_t   i;
    char   **list;

    list = NULL;

    if (n) {
        list = meet_lk_data_alloc(a, n * sizeof(char *));
        if (list == NULL) {
            return -1;
        }

        memset(list, 0, n * sizeof(char *));

        for (i = 0; i < n; i++) {
            if (meet_lk_data_set(a, &list[i], src[i]) != 0) {
                while (i--) {
                    meet_lk_data_free(a, list[i]);
                }

                meet_lk_data_free(a, list);
                return -1;
            }
        }
    }

    for (i = 0; i < *ndst; i++) {
        meet_lk_data_free(a, (*dst)[i]);
    }

    meet_lk_data_free(a, *dst);

    *dst = list;
    *ndst = n;

    return 0;
}


meet_lk_data_reason_e
meet_lk_data_rewrite(Livekit__DataPacket *dp, unsigned kind,
    const meet_lk_data_sender_t *sender, uint32_t *last_seq,
    ProtobufCAllocator *allocator)
{
    int                   rc;
    const char           *identity;
    Livekit__UserPacket  *up;

    /* a retry of a reliable packet already relayed (a client resending
       after a reconnect): participant.go handleReceivedDataMessage */
    if (kind == MEET_LK_DATA_RELIABLE && dp->has_sequence
        && dp->sequence > 0)
    {
        if (*last_seq >= dp->sequence) {
            return MEET_LK_DATA_OLD_SEQUENCE;
        }

        *last_seq = dp->sequence;
    }

    switch (dp->value_case) {

    case LIVEKIT__DATA_PACKET__VALUE_SPEAKER:
        return MEET_LK_DATA_SERVER_ONLY;

    case LIVEKIT__DATA_PACKET__VALUE_METRICS:
    case LIVEKIT__DATA_PACKET__VALUE_TRANSCRIPTION:
        return MEET_LK_DATA_NOT_RELAYED;

    default:
        break;
    }

    /* the channel it came on is the truth, not the deprecated field (a
       proto3 encoder leaves RELIABLE, 0, out) */
    dp->kind = kind;
    dp->has_kind = (kind != 0);

    identity = sender->hidden ? NULL : sender->identity;

    rc = meet_lk_data_set(allocator, &dp->participant_sid, sender->sid);
    rc |= meet_lk_data_set(allocator, &dp->participant_identity, identity);

    if (dp->value_case == LIVEKIT__DATA_PACKET__VALUE_USER) {
        up = dp->user;

        rc |= meet_lk_data_set(allocator, &up->participant_sid,
                               sender->hidden ? NULL : sender->sid);
        rc |= meet_lk_data_set(allocator, &up->participant_identity,
                               identity);

        /* one destination list on both, the packet's first */
        if (dp->n_destination_identities) {
            rc |= meet_lk_data_set_list(allocator,
                                        &up->destination_identities,
                                        &up->n_destination_identities,
                                        dp->destination_identities,
                                        dp->n_destination_identities);

        } else if (up->n_destination_identities) {
            rc |= meet_lk_data_set_list(allocator,
                                        &dp->destination_identities,
                                        &dp->n_destination_identities,
                                        up->destination_identities,
                                        up->n_destination_identities);
        }
    }

    /* out of memory: the packet cannot be relayed as it must be */
    return rc ? MEET_LK_DATA_MALFORMED : MEET_LK_DATA_OK;
}


int
meet_lk_data_duplicate(meet_lk_data_nonces_t *nonces,
    const Livekit__DataPacket *dp)
{
    unsigned              i;
    Livekit__UserPacket  *up;

    if (dp->value_case != LIVEKIT__DATA_PACKET__VALUE_USER) {
        return 0;
    }

    up = dp->user;

    if (!up->has_nonce || up->nonce.len != MEET_LK_DATA_NONCE_LEN) {
        return 0;
    }

    for (i = 0; i < nonces->n; i++) {
        if (memcmp(nonces->nonce[i], up->nonce.data, MEET_LK_DATA_NONCE_LEN)
            == 0)
        {
            return 1;
        }
    }

    memcpy(nonces->nonce[nonces->next], up->nonce.data,
           MEET_LK_DATA_NONCE_LEN);

    nonces->next = (nonces->next + 1) % MEET_LK_DATA_NONCES;

    if (nonces->n < MEET_LK_DATA_NONCES) {
        nonces->n++;
    }

    return 0;
}


static int
meet_lk_data_listed(char **list, size_t n, const char *s)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (list[i] && strcmp(list[i], s) == 0) {
            return 1;
        }
    }

    return 0;
}


int
meet_lk_data_wants(const Livekit__DataPacket *dp, const char *sid,
    const char *identity)
{
    size_t                nsids;
    Livekit__UserPacket  *up;

    up = (dp->value_case == LIVEKIT__DATA_PACKET__VALUE_USER) ? dp->user
                                                              : NULL;
    nsids = up ? up->n_destination_sids : 0;

    if (nsids == 0 && dp->n_destination_identities == 0) {
        return 1;
    }

    return (nsids && meet_lk_data_listed(up->destination_sids, nsids, sid))
           || meet_lk_data_listed(dp->destination_identities,
                                  dp->n_destination_identities, identity);
}


void
meet_lk_data_user(Livekit__DataPacket *dp, Livekit__UserPacket *up,
    unsigned kind, const char *topic, const uint8_t *payload, size_t len,
    char **destinations, size_t ndestinations, const uint8_t *nonce)
{
    livekit__data_packet__init(dp);
    livekit__user_packet__init(up);

    dp->kind = kind;
    dp->has_kind = (kind != 0);
    dp->value_case = LIVEKIT__DATA_PACKET__VALUE_USER;
    dp->user = up;
    dp->destination_identities = destinations;
    dp->n_destination_identities = ndestinations;

    up->has_payload = (len != 0);       /* proto3 leaves empty bytes out */
    up->payload.data = (uint8_t *) payload;
    up->payload.len = len;
    up->topic = (char *) topic;
    up->destination_identities = destinations;
    up->n_destination_identities = ndestinations;

    if (nonce) {
        up->has_nonce = 1;
        up->nonce.data = (uint8_t *) nonce;
        up->nonce.len = MEET_LK_DATA_NONCE_LEN;
    }
}
