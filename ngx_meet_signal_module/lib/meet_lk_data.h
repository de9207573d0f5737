
/*
 * Copyright (C) ngx_meet authors
 *
 * LiveKit data messages (DataPacket, livekit_data.proto) in plain C, no
 * nginx types: what a participant sends on its "_reliable" or "_lossy" data
 * channel is decoded and checked, its sender fields are set from the
 * participant (never from the client), it is packed again once and sent to
 * everyone in the room but the sender or to the named destinations.  The
 * rules are livekit-server's (pkg/rtc/participant.go
 * handleReceivedDataMessage, pkg/rtc/room.go BroadcastDataPacketForRoom,
 * pkg/rtc/user_packet_deduper.go, pkg/service/roommanager.go SendData);
 * where we differ, the comment at the function says so.
 */


#ifndef _MEET_LK_DATA_H_INCLUDED_
#define _MEET_LK_DATA_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>
#include "livekit_data.pb-c.h"


/* the channel a message came on or goes to (ngx_meet_media.h's order) */
#define MEET_LK_DATA_RELIABLE      0
#define MEET_LK_DATA_LOSSY         1

/* user packet nonces remembered per room (livekit-server: 100) */
#define MEET_LK_DATA_NONCES        100
#define MEET_LK_DATA_NONCE_LEN     16


/* why a message is not relayed; counted by name in /healthz */
typedef enum {
    MEET_LK_DATA_OK = 0,
    MEET_LK_DATA_TOO_LARGE,           /* over the size limit */
    MEET_LK_DATA_MALFORMED,           /* not a DataPacket */
    MEET_LK_DATA_BAD_UTF8,            /* a string field is not UTF-8 */
    MEET_LK_DATA_TOO_MANY_DESTINATIONS,
    MEET_LK_DATA_SERVER_ONLY,         /* active speakers: the server's */
    MEET_LK_DATA_NOT_RELAYED,         /* metrics; transcription from a
                                         participant that is not an agent */
    MEET_LK_DATA_OLD_SEQUENCE,        /* a reliable sequence already seen */
    MEET_LK_DATA_DUPLICATE,           /* a user packet nonce already seen */
    MEET_LK_DATA_NREASONS
} meet_lk_data_reason_e;


typedef struct {
    size_t                   max_size;          /* a whole message */
    size_t                   max_destinations;  /* identities + sids */
} meet_lk_data_limits_t;


/* the sender, as the server knows it */
typedef struct {
    const char              *sid;
    const char              *identity;
    unsigned                 hidden:1;
} meet_lk_data_sender_t;


/* the last user packet nonces of a room (zeroed: empty) */
typedef struct {
    uint8_t                  nonce[MEET_LK_DATA_NONCES]
                                  [MEET_LK_DATA_NONCE_LEN];
    unsigned                 next;
    unsigned                 n;
} meet_lk_data_nonces_t;


/* the reason's name for counters and logs ("too_large", ...) */
const char *meet_lk_data_reason_name(meet_lk_data_reason_e reason);

/*
 * Decodes and checks one message: size, protobuf, UTF-8 of every string
 * field (as Go's proto.Unmarshal in livekit-server: a receiver's decoder
 * must never see a broken string), unknown fields with a valid number,
 * the number of destinations.  The packet
 * is allocated with "allocator" (NULL: malloc); MEET_LK_DATA_OK and *out,
 * or the reason (nothing to free).
 */
meet_lk_data_reason_e meet_lk_data_decode(const uint8_t *data, size_t len,
    const meet_lk_data_limits_t *limits, ProtobufCAllocator *allocator,
    Livekit__DataPacket **out);

/*
 * What livekit-server does with a packet a participant sent on the channel
 * of that kind: a reliable packet with a sequence not above *last_seq (the
 * sender's last, updated) is a retry already relayed; the kind is the
 * channel's; the sender's sid and identity are set on the packet and on
 * its user packet (cleared for a hidden sender's identity); a user
 * packet's destinations and the packet's are made the same.  Transcriptions
 * and metrics are not relayed (we have no agents, and metrics go to no one
 * without canSubscribeMetrics, which we do not grant); active speaker
 * packets are refused (livekit-server relays them, and a client could
 * forge the room's speakers with them).  Strings come from the allocator.
 * MEET_LK_DATA_OK: relay it; else the reason.
 */
meet_lk_data_reason_e meet_lk_data_rewrite(Livekit__DataPacket *dp,
    unsigned kind, const meet_lk_data_sender_t *sender, uint32_t *last_seq,
    ProtobufCAllocator *allocator);

/*
 * A user packet whose 16-byte nonce was among the room's last
 * MEET_LK_DATA_NONCES is a duplicate (1); else the nonce is remembered (0).
 * Other nonce lengths are never duplicates, as uuid.FromBytes fails in
 * livekit-server.
 */
int meet_lk_data_duplicate(meet_lk_data_nonces_t *nonces,
    const Livekit__DataPacket *dp);

/*
 * 1 when a participant (sid, identity) is to receive the packet: there are
 * no destinations, or it is among the destination identities or the user
 * packet's destination sids.  The sender is the caller's to skip.
 */
int meet_lk_data_wants(const Livekit__DataPacket *dp, const char *sid,
    const char *identity);

/*
 * Fills dp and up with a server's user packet (RoomService SendData: no
 * sender, sequence 0, the destination identities on both); topic may be
 * NULL, nonce NULL or MEET_LK_DATA_NONCE_LEN bytes.  Nothing is allocated:
 * the pointers are the caller's for as long as dp is used.
 */
void meet_lk_data_user(Livekit__DataPacket *dp, Livekit__UserPacket *up,
    unsigned kind, const char *topic, const uint8_t *payload, size_t len,
    char **destinations, size_t ndestinations, const uint8_t *nonce);


#endif /* _MEET_LK_DATA_H_INCLUDED_ */
