/* sources: ngx_meet_signal_module/lib/meet_lk_data.c ngx_meet_signal_module/lib/meet_ws.c build/gen/livekit_data.pb-c.c build/gen/livekit_signal.pb-c.c */

/*
 * LiveKit data messages: decode and checks, the sender rewrite, sequences,
 * nonces, destinations, the server's user packet, and that what a client
 * sent survives the round trip (presence of optional fields, unknown
 * fields).
 */

#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "meet_lk_data.h"


static const meet_lk_data_limits_t  limits = { 65536, 4 };
static const meet_lk_data_sender_t  alice = { "PA_alice", "alice", 0 };


/* packs dp into a malloc'd buffer: its length in *len */
static uint8_t *
pack(const Livekit__DataPacket *dp, size_t *len)
{
    uint8_t  *buf;

    *len = livekit__data_packet__get_packed_size(dp);
    buf = malloc(*len + 1);
    livekit__data_packet__pack(dp, buf);

    return buf;
}


/* a user packet as a client sends it, spoofing someone else */
static uint8_t *
client_user_packet(size_t *len, const char *topic, uint32_t seq,
    char **dests, size_t ndests, int in_user)
{
    Livekit__DataPacket  dp;
    Livekit__UserPacket  up;

    livekit__data_packet__init(&dp);
    livekit__user_packet__init(&up);

    dp.participant_identity = "mallory";
    dp.participant_sid = "PA_mallory";
    dp.value_case = LIVEKIT__DATA_PACKET__VALUE_USER;
    dp.user = &up;

    if (seq) {
        dp.has_sequence = 1;
        dp.sequence = seq;
    }

    up.participant_identity = "mallory";
    up.participant_sid = "PA_mallory";
    up.has_payload = 1;
    up.payload.data = (uint8_t *) "hello";
    up.payload.len = 5;
    up.topic = (char *) topic;

    if (in_user) {
        up.destination_identities = dests;
        up.n_destination_identities = ndests;

    } else {
        dp.destination_identities = dests;
        dp.n_destination_identities = ndests;
    }

    return pack(&dp, len);
}


static void
test_rewrite(void)
{
    size_t                 len, len2;
    uint8_t               *buf, *out;
    uint32_t               last;
    Livekit__DataPacket   *dp, *dp2;

    buf = client_user_packet(&len, "lk-chat-topic", 0, NULL, 0, 0);

    is_int(meet_lk_data_decode(buf, len, &limits, NULL, &dp), MEET_LK_DATA_OK,
           "a user packet decodes");

    last = 0;
    is_int(meet_lk_data_rewrite(dp, MEET_LK_DATA_LOSSY, &alice, &last, NULL),
           MEET_LK_DATA_OK, "and is relayed");

    out = pack(dp, &len2);
    dp2 = livekit__data_packet__unpack(NULL, len2, out);

    ok(dp2 != NULL, "the rewritten packet decodes");
    is_str(dp2->participant_identity, "alice", "identity: the sender's");
    is_str(dp2->participant_sid, "PA_alice", "sid: the sender's");
    is_str(dp2->user->participant_identity, "alice",
           "user packet identity: the sender's");
    is_str(dp2->user->participant_sid, "PA_alice",
           "user packet sid: the sender's");
    is_int(dp2->kind, LIVEKIT__DATA_PACKET__KIND__LOSSY,
           "kind: the channel's");
    is_str(dp2->user->topic, "lk-chat-topic", "topic kept");
    is_mem(dp2->user->payload.data, dp2->user->payload.len, "hello", 5,
           "payload kept");

    livekit__data_packet__free_unpacked(dp2, NULL);
    livekit__data_packet__free_unpacked(dp, NULL);
    free(out);
    free(buf);

    /* a hidden sender: no identity anywhere, the packet's sid stays */
    {
        meet_lk_data_sender_t  hidden = { "PA_h", "h", 1 };

        buf = client_user_packet(&len, NULL, 0, NULL, 0, 0);
        meet_lk_data_decode(buf, len, &limits, NULL, &dp);
        last = 0;
        meet_lk_data_rewrite(dp, MEET_LK_DATA_RELIABLE, &hidden, &last,
                             NULL);
        ok(dp->participant_identity == NULL
           && dp->user->participant_identity == NULL
           && dp->user->participant_sid == NULL,
           "a hidden sender's identity is cleared");
        is_str(dp->participant_sid, "PA_h", "its sid is on the packet");
        ok(!dp->has_kind, "reliable: kind left out, as proto3 does");
        livekit__data_packet__free_unpacked(dp, NULL);
        free(buf);
    }
}


static void
test_checks(void)
{
    size_t                 len;
    uint8_t               *buf;
    char                  *many[5] = { "a", "b", "c", "d", "e" };
    char                   bad[] = "caf\xc3";
    meet_lk_data_limits_t  small = { 8, 4 };
    Livekit__DataPacket   *dp;

    buf = client_user_packet(&len, "t", 0, NULL, 0, 0);
    is_int(meet_lk_data_decode(buf, len, &small, NULL, &dp),
           MEET_LK_DATA_TOO_LARGE, "over the size limit");
    free(buf);

    is_int(meet_lk_data_decode((const uint8_t *) "\x12\x7f\x01", 3, &limits,
                               NULL, &dp),
           MEET_LK_DATA_MALFORMED, "a truncated field is malformed");
    is_int(meet_lk_data_decode((const uint8_t *) "\xff\xff\xff\xff\xff\xff"
                               "\xff\xff\xff\xff\xff", 11, &limits, NULL, &dp),
           MEET_LK_DATA_MALFORMED, "garbage is malformed");
    is_int(meet_lk_data_decode((const uint8_t *) "\x80\x00\x00", 3, &limits,
                               NULL, &dp),
           MEET_LK_DATA_MALFORMED, "field number 0 (an overlong tag)");

    buf = client_user_packet(&len, bad, 0, NULL, 0, 0);
    is_int(meet_lk_data_decode(buf, len, &limits, NULL, &dp),
           MEET_LK_DATA_BAD_UTF8, "a topic that is not UTF-8");
    free(buf);

    buf = client_user_packet(&len, NULL, 0, many, 5, 0);
    is_int(meet_lk_data_decode(buf, len, &limits, NULL, &dp),
           MEET_LK_DATA_TOO_MANY_DESTINATIONS, "five destinations, 4 allowed");
    free(buf);

    buf = client_user_packet(&len, NULL, 0, many, 4, 1);
    is_int(meet_lk_data_decode(buf, len, &limits, NULL, &dp),
           MEET_LK_DATA_OK, "four in the user packet");
    livekit__data_packet__free_unpacked(dp, NULL);
    free(buf);

    /* a string inside a nested message (a stream header's map) */
    {
        Livekit__DataPacket                          p;
        Livekit__DataStream__Header                  h;
        Livekit__DataStream__Header__AttributesEntry e, *ep = &e;

        livekit__data_packet__init(&p);
        livekit__data_stream__header__init(&h);
        livekit__data_stream__header__attributes_entry__init(&e);
        e.key = "k";
        e.value = bad;
        h.stream_id = "s1";
        h.n_attributes = 1;
        h.attributes = &ep;
        p.value_case = LIVEKIT__DATA_PACKET__VALUE_STREAM_HEADER;
        p.stream_header = &h;

        buf = pack(&p, &len);
        is_int(meet_lk_data_decode(buf, len, &limits, NULL, &dp),
               MEET_LK_DATA_BAD_UTF8, "bad UTF-8 in a stream attribute");
        free(buf);

        e.value = "v\xc3\xa9";
        buf = pack(&p, &len);
        is_int(meet_lk_data_decode(buf, len, &limits, NULL, &dp),
               MEET_LK_DATA_OK, "good UTF-8 there");
        livekit__data_packet__free_unpacked(dp, NULL);
        free(buf);
    }

    for (size_t i = 0; i <= MEET_LK_DATA_NREASONS; i++) {
        ok(meet_lk_data_reason_name(i) != NULL, "reason %zu has a name", i);
    }

    is_str(meet_lk_data_reason_name(MEET_LK_DATA_BAD_UTF8), "bad_utf8",
           "a reason's name");
}


static meet_lk_data_reason_e
relay(uint32_t seq, unsigned kind, uint32_t *last)
{
    size_t                 len;
    uint8_t               *buf;
    Livekit__DataPacket   *dp;
    meet_lk_data_reason_e  r;

    buf = client_user_packet(&len, NULL, seq, NULL, 0, 0);
    meet_lk_data_decode(buf, len, &limits, NULL, &dp);
    r = meet_lk_data_rewrite(dp, kind, &alice, last, NULL);
    livekit__data_packet__free_unpacked(dp, NULL);
    free(buf);

    return r;
}


static void
test_sequence(void)
{
    uint32_t  last = 0;

    is_int(relay(5, MEET_LK_DATA_RELIABLE, &last), MEET_LK_DATA_OK, "seq 5");
    is_int(last, 5, "remembered");
    is_int(relay(5, MEET_LK_DATA_RELIABLE, &last), MEET_LK_DATA_OLD_SEQUENCE,
           "seq 5 again: a retry");
    is_int(relay(3, MEET_LK_DATA_RELIABLE, &last), MEET_LK_DATA_OLD_SEQUENCE,
           "seq 3: older");
    is_int(relay(6, MEET_LK_DATA_RELIABLE, &last), MEET_LK_DATA_OK, "seq 6");
    is_int(relay(0, MEET_LK_DATA_RELIABLE, &last), MEET_LK_DATA_OK,
           "no sequence: always");
    is_int(relay(2, MEET_LK_DATA_LOSSY, &last), MEET_LK_DATA_OK,
           "lossy: sequence ignored");
    is_int(last, 6, "still 6");
}


/* what the rewrite says of p, packed and decoded as a client's */

static meet_lk_data_reason_e
kind_reason(const Livekit__DataPacket *p, char **identity)
{
    size_t                 len;
    uint8_t               *buf;
    uint32_t               last;
    Livekit__DataPacket   *dp;
    meet_lk_data_reason_e  r;

    buf = pack(p, &len);
    meet_lk_data_decode(buf, len, &limits, NULL, &dp);
    last = 0;
    r = meet_lk_data_rewrite(dp, 0, &alice, &last, NULL);

    if (identity) {
        *identity = dp->participant_identity
                    ? strdup(dp->participant_identity) : NULL;
    }

    livekit__data_packet__free_unpacked(dp, NULL);
    free(buf);

    return r;
}


static void
test_kinds(void)
{
    char                        *identity;
    Livekit__DataPacket          p;
    Livekit__ChatMessage         chat;
    Livekit__MetricsBatch        metrics;
    Livekit__Transcription       tr;
    Livekit__ActiveSpeakerUpdate sp;
    Livekit__RpcRequest          rpc;

    livekit__data_packet__init(&p);
    livekit__chat_message__init(&chat);
    chat.id = "c1";
    chat.message = "hi";
    p.participant_identity = "bob";
    p.value_case = LIVEKIT__DATA_PACKET__VALUE_CHAT_MESSAGE;
    p.chat_message = &chat;

    is_int(kind_reason(&p, &identity), MEET_LK_DATA_OK,
           "chat message relayed");
    is_str(identity, "alice", "as the sender, not bob");
    free(identity);

    livekit__rpc_request__init(&rpc);
    rpc.id = "r1";
    rpc.method = "m";
    p.value_case = LIVEKIT__DATA_PACKET__VALUE_RPC_REQUEST;
    p.rpc_request = &rpc;
    is_int(kind_reason(&p, NULL), MEET_LK_DATA_OK, "rpc request relayed");

    livekit__metrics_batch__init(&metrics);
    p.value_case = LIVEKIT__DATA_PACKET__VALUE_METRICS;
    p.metrics = &metrics;
    is_int(kind_reason(&p, NULL), MEET_LK_DATA_NOT_RELAYED,
           "metrics not relayed");

    livekit__transcription__init(&tr);
    p.value_case = LIVEKIT__DATA_PACKET__VALUE_TRANSCRIPTION;
    p.transcription = &tr;
    is_int(kind_reason(&p, NULL), MEET_LK_DATA_NOT_RELAYED,
           "a participant's transcription neither");

    livekit__active_speaker_update__init(&sp);
    p.value_case = LIVEKIT__DATA_PACKET__VALUE_SPEAKER;
    p.speaker = &sp;
    is_int(kind_reason(&p, NULL), MEET_LK_DATA_SERVER_ONLY,
           "forged active speakers refused");
}


static void
test_destinations(void)
{
    size_t                 len;
    uint8_t               *buf;
    uint32_t               last;
    char                  *to[2] = { "bob", "carol" };
    Livekit__DataPacket   *dp;

    /* in the packet: copied into the user packet */
    buf = client_user_packet(&len, NULL, 0, to, 2, 0);
    meet_lk_data_decode(buf, len, &limits, NULL, &dp);
    last = 0;
    meet_lk_data_rewrite(dp, 0, &alice, &last, NULL);
    is_int(dp->user->n_destination_identities, 2, "user packet: 2 too");
    is_str(dp->user->destination_identities[1], "carol", "the same");
    ok(meet_lk_data_wants(dp, "PA_b", "bob"), "bob gets it");
    ok(meet_lk_data_wants(dp, "PA_c", "carol"), "carol gets it");
    ok(!meet_lk_data_wants(dp, "PA_d", "dave"), "dave does not");
    livekit__data_packet__free_unpacked(dp, NULL);
    free(buf);

    /* only in the (deprecated) user packet: copied up */
    buf = client_user_packet(&len, NULL, 0, to, 1, 1);
    meet_lk_data_decode(buf, len, &limits, NULL, &dp);
    meet_lk_data_rewrite(dp, 0, &alice, &last, NULL);
    is_int(dp->n_destination_identities, 1, "packet: the user packet's");
    ok(meet_lk_data_wants(dp, "PA_b", "bob"), "bob gets it");
    ok(!meet_lk_data_wants(dp, "PA_c", "carol"), "carol does not");
    livekit__data_packet__free_unpacked(dp, NULL);
    free(buf);

    /* by sid (deprecated destination_sids) */
    {
        Livekit__DataPacket  p;
        Livekit__UserPacket  up;
        char                *sids[1] = { "PA_c" };

        livekit__data_packet__init(&p);
        livekit__user_packet__init(&up);
        p.value_case = LIVEKIT__DATA_PACKET__VALUE_USER;
        p.user = &up;
        up.destination_sids = sids;
        up.n_destination_sids = 1;
        ok(meet_lk_data_wants(&p, "PA_c", "carol"), "by sid: carol");
        ok(!meet_lk_data_wants(&p, "PA_b", "bob"), "by sid: not bob");
        up.n_destination_sids = 0;
        ok(meet_lk_data_wants(&p, "PA_b", "bob"), "no list: everyone");
    }
}


static void
test_nonces(void)
{
    unsigned                i;
    uint8_t                 nonce[16];
    Livekit__DataPacket     p;
    Livekit__UserPacket     up;
    meet_lk_data_nonces_t  *ring;

    ring = calloc(1, sizeof(meet_lk_data_nonces_t));

    livekit__data_packet__init(&p);
    livekit__user_packet__init(&up);
    p.value_case = LIVEKIT__DATA_PACKET__VALUE_USER;
    p.user = &up;

    ok(!meet_lk_data_duplicate(ring, &p), "no nonce: never a duplicate");

    memset(nonce, 7, 16);
    up.has_nonce = 1;
    up.nonce.data = nonce;
    up.nonce.len = 15;
    ok(!meet_lk_data_duplicate(ring, &p), "15 bytes: not a UUID");
    ok(!meet_lk_data_duplicate(ring, &p), "and again");

    up.nonce.len = 16;
    ok(!meet_lk_data_duplicate(ring, &p), "a new nonce");
    ok(meet_lk_data_duplicate(ring, &p), "the same nonce again");

    for (i = 0; i < MEET_LK_DATA_NONCES; i++) {
        nonce[0] = 100 + i;
        meet_lk_data_duplicate(ring, &p);
    }

    nonce[0] = 7;
    ok(!meet_lk_data_duplicate(ring, &p), "forgotten after 100 others");
    nonce[0] = 100 + MEET_LK_DATA_NONCES - 1;
    ok(meet_lk_data_duplicate(ring, &p), "a recent one is remembered");

    free(ring);
}


static void
test_server_packet(void)
{
    size_t                len;
    uint8_t              *buf;
    uint8_t               nonce[16] = { 1 };
    char                 *to[1] = { "bob" };
    Livekit__DataPacket   dp, *d2;
    Livekit__UserPacket   up;

    meet_lk_data_user(&dp, &up, MEET_LK_DATA_RELIABLE, "lobby",
                      (const uint8_t *) "{\"type\":\"x\"}", 12, to, 1, nonce);
    buf = pack(&dp, &len);
    d2 = livekit__data_packet__unpack(NULL, len, buf);

    ok(d2 && d2->value_case == LIVEKIT__DATA_PACKET__VALUE_USER,
       "the server's user packet decodes");
    ok(d2->participant_identity == NULL && d2->user->participant_sid == NULL,
       "no sender");
    is_str(d2->user->topic, "lobby", "its topic");
    is_str(d2->destination_identities[0], "bob", "its destination");
    is_str(d2->user->destination_identities[0], "bob", "on both");
    is_int(d2->user->nonce.len, 16, "its nonce");
    ok(!d2->has_sequence, "no sequence");
    livekit__data_packet__free_unpacked(d2, NULL);
    free(buf);
}


/* optional fields keep presence; unknown fields go through */

static void
test_round_trip(void)
{
    size_t                       len, len2;
    uint8_t                     *buf, *out, *both;
    uint32_t                     last;
    Livekit__DataPacket          p, *dp, *d2;
    Livekit__DataStream__Header  h;
    Livekit__DataStream__TextHeader th;

    livekit__data_packet__init(&p);
    livekit__data_stream__header__init(&h);
    livekit__data_stream__text_header__init(&th);
    h.stream_id = "s";
    h.topic = "lk.chat";
    h.has_total_length = 1;
    h.total_length = 0;            /* an empty text: present, 0 */
    h.content_header_case = LIVEKIT__DATA_STREAM__HEADER__CONTENT_HEADER_TEXT_HEADER;
    h.text_header = &th;
    p.value_case = LIVEKIT__DATA_PACKET__VALUE_STREAM_HEADER;
    p.stream_header = &h;

    buf = pack(&p, &len);

    /* field 99, varint 42: a field of a newer protocol */
    both = malloc(len + 3);
    memcpy(both, buf, len);
    memcpy(both + len, "\x98\x06\x2a", 3);

    is_int(meet_lk_data_decode(both, len + 3, &limits, NULL, &dp),
           MEET_LK_DATA_OK, "a stream header with a newer field");
    last = 0;
    meet_lk_data_rewrite(dp, 0, &alice, &last, NULL);
    out = pack(dp, &len2);
    ok(len2 >= 3 && memcmp(out + len2 - 3, "\x98\x06\x2a", 3) == 0,
       "the unknown field is relayed");

    d2 = livekit__data_packet__unpack(NULL, len2, out);
    ok(d2->stream_header->has_total_length
       && d2->stream_header->total_length == 0,
       "total_length 0 stays present");
    is_str(d2->stream_header->topic, "lk.chat", "topic");

    livekit__data_packet__free_unpacked(d2, NULL);
    livekit__data_packet__free_unpacked(dp, NULL);
    free(out);
    free(both);
    free(buf);
}


int
main(void)
{
    test_rewrite();
    test_checks();
    test_sequence();
    test_kinds();
    test_destinations();
    test_nonces();
    test_server_packet();
    test_round_trip();

    return done_testing();
}
