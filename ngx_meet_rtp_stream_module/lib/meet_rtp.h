
/*
 * Copyright (C) ngx_meet authors
 *
 * RTP for the forwarding path of an SFU, in plain C: no nginx types, no
 * allocation, no copies.  Every function accepts any bytes and any lengths
 * without reading or writing outside the ranges it is given; results that
 * refer to packet bytes are slices (pointer and length) of the caller's
 * buffer.
 *
 *     RFC 3550  RTP header, sequence numbers, timestamps
 *     RFC 7983  demultiplexing STUN, DTLS, RTP and RTCP on one port,
 *     RFC 5761  with RTP and RTCP muxed (RTCP = payload type 64..95)
 *     RFC 8285  header extensions, one-byte and two-byte forms
 *     RFC 7741  VP8, draft-ietf-payload-vp9 (RFC 9628) VP9, RFC 6184
 *               H.264, the AOM "RTP Payload Format for AV1": key frames
 *
 * Forwarding one packet:
 *
 *     if (meet_rtp_classify(p, n) == MEET_RTP_PKT_RTP
 *         && meet_rtp_parse(&h, p, n) == MEET_RTP_OK)
 *     {
 *         meet_rtp_ext_twcc_seq(p, &h, twcc_id, &tseq);
 *         kf = meet_rtp_keyframe(MEET_RTP_CODEC_VP8,
 *                                p + h.header_len, h.payload_len);
 *         then per subscriber, into its own buffer:
 *         if ((len = meet_rtp_rewriter_copy(&rw, out, size, p, n, &h,
 *                                           pt, -1, now_ms)))
 *         { ...protect and send out[0..len)... }
 *     }
 */


#ifndef _MEET_RTP_H_INCLUDED_
#define _MEET_RTP_H_INCLUDED_


#include <stdint.h>
#include <stddef.h>


/* the same type as nginx's u_char (glibc's <sys/types.h>) */
typedef unsigned char  u_char;


/* results of meet_rtp_parse() */
#define MEET_RTP_OK                  0
#define MEET_RTP_ERR_TRUNCATED      -1   /* shorter than 12 bytes */
#define MEET_RTP_ERR_VERSION        -2   /* version is not 2 */
#define MEET_RTP_ERR_CSRC           -3   /* CSRC list runs past the end */
#define MEET_RTP_ERR_EXTENSION      -4   /* extension runs past the end */
#define MEET_RTP_ERR_PADDING        -5   /* padding count 0 or too big */

/* meet_rtp_classify(), RFC 7983 section 7 */
#define MEET_RTP_PKT_UNKNOWN         0
#define MEET_RTP_PKT_STUN            1   /* first byte 0..3 */
#define MEET_RTP_PKT_DTLS            2   /* first byte 20..63 */
#define MEET_RTP_PKT_RTP             3   /* 128..191, second byte not RTCP */
#define MEET_RTP_PKT_RTCP            4   /* 128..191, second byte 192..223 */

/* the smallest datagram of each kind that meet_rtp_classify() accepts */
#define MEET_RTP_MIN_STUN            20  /* STUN header */
#define MEET_RTP_MIN_DTLS            13  /* DTLS record header */
#define MEET_RTP_MIN_RTP             12  /* fixed RTP header */
#define MEET_RTP_MIN_RTCP            8   /* header + SSRC of SR/RR/FB */

#define MEET_RTP_HEADER_LEN          12

/* header extension forms (meet_rtp_header_t.ext_profile) */
#define MEET_RTP_EXT_ONE_BYTE        0xbede
#define MEET_RTP_EXT_TWO_BYTE        0x1000  /* 0x100X: X = appbits */
#define MEET_RTP_EXT_TWO_BYTE_MASK   0xfff0

/* meet_rtp_ext_next() */
#define MEET_RTP_EXT_END             0
#define MEET_RTP_EXT_ELEMENT         1
#define MEET_RTP_EXT_MALFORMED      -1

/* payload formats of meet_rtp_keyframe() */
#define MEET_RTP_CODEC_VP8           1
#define MEET_RTP_CODEC_VP9           2
#define MEET_RTP_CODEC_H264          3
#define MEET_RTP_CODEC_AV1           4

/* meet_rtp_keyframe() */
#define MEET_RTP_KEYFRAME_NO         0
#define MEET_RTP_KEYFRAME_YES        1
#define MEET_RTP_KEYFRAME_UNKNOWN   -1

/* meet_rtp_rewriter_map() and _apply() */
#define MEET_RTP_RW_DROP             0
#define MEET_RTP_RW_FORWARD          1

/*
 * Rewriter limits, in sequence numbers: packets older than the newest
 * forwarded one by up to MEET_RTP_RW_WINDOW are reordered packets and keep
 * the mapping; a packet older by more is taken for a restart of the source
 * (same SSRC, new sequence) and starts a new mapping.  The last
 * MEET_RTP_RW_HISTORY sequence numbers are remembered to drop duplicates.
 */
#define MEET_RTP_RW_WINDOW           1024
#define MEET_RTP_RW_HISTORY          64
/* how long late packets of a replaced source are recognised, ms */
#define MEET_RTP_RW_LATE_MS          1000


/* one parsed RTP header; offsets are from the first byte of the packet */
typedef struct {
    uint32_t                  ts;
    uint32_t                  ssrc;
    uint16_t                  seq;
    uint8_t                   pt;           /* 0..127 */
    uint8_t                   marker;       /* 0 or 1 */
    uint8_t                   cc;           /* CSRC count, 0..15 */
    uint8_t                   extension;    /* X bit: 0 or 1 */
    uint16_t                  ext_profile;  /* "defined by profile" word */
    size_t                    ext_offset;   /* extension data, after its */
    size_t                    ext_len;      /*   4-byte header; 0 if none */
    size_t                    header_len;   /* = payload offset */
    size_t                    payload_len;  /* without padding */
    size_t                    padding_len;  /* 0 when P is clear */
} meet_rtp_header_t;


/* iteration over the elements of a header extension block */
typedef struct {
    const u_char             *p;            /* extension data */
    size_t                    len;
    size_t                    off;
    unsigned                  two_byte;     /* 0: one-byte form */
    unsigned                  malformed;
} meet_rtp_ext_iter_t;


/* 16-bit sequence number -> 64-bit; 32-bit timestamp -> 64-bit */
typedef struct {
    int64_t                   last;         /* newest value returned */
    unsigned                  started;
} meet_rtp_unwrapper_t;


/*
 * Forwarding state of one outgoing stream (one SSRC towards one
 * subscriber).  Only the meet_rtp_rewriter_*() functions change it; the
 * fields may be read.
 *
 * The first packet passes with its sequence number and timestamp
 * unchanged.  A packet from another SSRC than the current one (the
 * publisher re-joined, a simulcast layer switch, another track fed into the
 * same slot), a call to meet_rtp_rewriter_switch(), or a sequence number
 * more than MEET_RTP_RW_WINDOW behind the newest (the source restarted
 * with the same SSRC) starts a new mapping: its packet goes out as newest
 * outgoing sequence number + 1 and newest outgoing timestamp + the time
 * since that packet was forwarded, in clock_rate units (at least 1), so the
 * receiver sees one continuous stream.
 *
 * Within one mapping every packet gets out = in + offset: gaps stay gaps
 * (the receiver NACKs them; a forward jump is never collapsed, it may be
 * loss), and packets that arrive late are forwarded with the same offset
 * as long as they are at most MEET_RTP_RW_WINDOW behind the newest and
 * not older than the first packet of the mapping (those would collide with
 * what the previous source sent).  Duplicates of any of the last
 * MEET_RTP_RW_HISTORY sequence numbers are dropped.
 *
 * Late packets of the previous source, i.e. its SSRC with a sequence
 * number not newer than the newest it had when it was replaced, arriving
 * within MEET_RTP_RW_LATE_MS of the switch, are dropped; after that time,
 * or with a newer sequence number, that SSRC is a switch back.
 */
typedef struct {
    uint64_t                  last_ms;      /* when max_in_seq was mapped */
    uint64_t                  history;      /* bit i: max_in_seq - i seen */
    uint64_t                  prev_until;   /* prev_* valid until, ms */
    uint32_t                  out_ssrc;
    uint32_t                  clock_rate;   /* Hz, 0 taken as 90000 */
    uint32_t                  in_ssrc;      /* current source */
    uint32_t                  ts_offset;    /* out ts = in ts + ts_offset */
    uint32_t                  max_out_ts;   /* out ts of max_in_seq */
    uint16_t                  seq_offset;   /* out seq = in + seq_offset */
    uint16_t                  max_in_seq;   /* newest incoming, mapping */
    uint16_t                  max_out_seq;  /* newest sent = max_in + off */
    uint16_t                  base_in_seq;  /* first incoming of mapping */
    uint16_t                  prev_max_seq; /* replaced source: newest */
    uint32_t                  prev_ssrc;    /*   and its SSRC */
    unsigned                  started:1;
    unsigned                  switching:1;  /* next packet: new mapping */
    unsigned                  base_check:1; /* base_in_seq still near */
    unsigned                  prev_valid:1;
} meet_rtp_rewriter_t;


/*
 * Demultiplexes a datagram arriving on the media port by its first byte
 * (RFC 7983) and, for RTP/RTCP, its second (RFC 5761: payload type 64..95
 * with the marker bit, i.e. 192..223, is RTCP).  Datagrams shorter than the
 * MEET_RTP_MIN_* of their kind, and first bytes 4..19 (ZRTP), 64..127
 * (TURN channels) and 192..255 are MEET_RTP_PKT_UNKNOWN.
 */
int meet_rtp_classify(const u_char *p, size_t n);

/*
 * Parses the RTP header of p[0..n) into h.  Returns MEET_RTP_OK or a
 * MEET_RTP_ERR_*; h is only meaningful on MEET_RTP_OK.  The payload is
 * p[h->header_len .. h->header_len + h->payload_len); with the P bit the
 * last byte counts the padding (1..n - header_len bytes, itself included).
 * An extension whose profile word is neither one-byte nor two-byte is
 * accepted (its elements cannot be read).  Payload type values 72..76 are
 * not refused here: meet_rtp_classify() tells RTP from RTCP.
 */
int meet_rtp_parse(meet_rtp_header_t *h, const u_char *p, size_t n);


/*
 * Header extensions (RFC 8285).  p and h are a packet and its parsed
 * header.  meet_rtp_ext_iter_init() returns 0, or -1 when the packet has no
 * extension in the one-byte (0xBEDE) or two-byte (0x100X) form.
 * meet_rtp_ext_next() returns MEET_RTP_EXT_ELEMENT with the next element
 * (id 1..14 in the one-byte form, 1..255 in the two-byte form; data may be
 * empty in the two-byte form), MEET_RTP_EXT_END after the last one
 * (padding bytes are skipped; in the one-byte form id 15 ends the block),
 * or MEET_RTP_EXT_MALFORMED when an element runs past the block (and then
 * keeps returning it).
 */
int meet_rtp_ext_iter_init(meet_rtp_ext_iter_t *it, const u_char *p,
    const meet_rtp_header_t *h);
int meet_rtp_ext_next(meet_rtp_ext_iter_t *it, unsigned *id,
    const u_char **data, size_t *len);

/*
 * The first element with this id: a pointer into p and its length, or
 * NULL (no such element, no readable extension, id 0, or the block is
 * malformed before the element).
 */
const u_char *meet_rtp_ext_find(const u_char *p, const meet_rtp_header_t *h,
    unsigned id, size_t *len);

/*
 * Readers of well-known extensions; id is the one negotiated in SDP
 * (a=extmap).  Return 0 and the value, or -1 when the element is missing
 * or has the wrong length.
 *   sdes:mid (RFC 9143): a non-empty string, a slice of p;
 *   abs-send-time: 24 bits, 6.18 fixed-point seconds, exactly 3 bytes;
 *   transport-wide-cc (draft-holmer-rmcat-transport-wide-cc-extensions):
 *     16-bit sequence number, 2 bytes;
 *   ssrc-audio-level (RFC 6464): level 0..127 (-dBov) and the voice
 *     activity bit, first byte of an element of 1 or more bytes.
 */
int meet_rtp_ext_mid(const u_char *p, const meet_rtp_header_t *h,
    unsigned id, const u_char **mid, size_t *len);
int meet_rtp_ext_abs_send_time(const u_char *p, const meet_rtp_header_t *h,
    unsigned id, uint32_t *t);
int meet_rtp_ext_twcc_seq(const u_char *p, const meet_rtp_header_t *h,
    unsigned id, uint16_t *seq);
int meet_rtp_ext_audio_level(const u_char *p, const meet_rtp_header_t *h,
    unsigned id, unsigned *level, unsigned *voice);

/*
 * Overwrites the value of the element id in place when it is exactly len
 * bytes long: 0, or -1 (absent, other length).  meet_rtp_ext_set_twcc_seq()
 * writes a transport-wide-cc sequence number that way (renumbering per
 * outgoing transport).
 */
int meet_rtp_ext_set(u_char *p, const meet_rtp_header_t *h, unsigned id,
    const u_char *value, size_t len);
int meet_rtp_ext_set_twcc_seq(u_char *p, const meet_rtp_header_t *h,
    unsigned id, uint16_t seq);


/*
 * In-place header rewriting for forwarding.  p[0..n) must start with an RTP
 * header (checked: n >= 12 and version 2); return 0, or -1 and nothing
 * written.  pt is 0..127 (higher bits are ignored); marker 0 or non-zero.
 */
int meet_rtp_set_pt(u_char *p, size_t n, unsigned pt);
int meet_rtp_set_marker(u_char *p, size_t n, unsigned marker);
int meet_rtp_set_seq(u_char *p, size_t n, uint16_t seq);
int meet_rtp_set_ts(u_char *p, size_t n, uint32_t ts);
int meet_rtp_set_ssrc(u_char *p, size_t n, uint32_t ssrc);


/*
 * Sequence arithmetic (RFC 3550 appendix A.1).  meet_rtp_seq_newer(a, b):
 * 1 when a comes after b modulo 2^16 (a half-range apart: the larger one
 * is newer, so exactly one of newer(a, b) and newer(b, a) holds for
 * a != b), else 0.  meet_rtp_seq_diff(a, b): a - b as the shortest signed
 * distance, -32768..32767.  The same for 32-bit timestamps.
 */
int meet_rtp_seq_newer(uint16_t a, uint16_t b);
int32_t meet_rtp_seq_diff(uint16_t a, uint16_t b);
int meet_rtp_ts_newer(uint32_t a, uint32_t b);
int64_t meet_rtp_ts_diff(uint32_t a, uint32_t b);

/*
 * Unwrapping: each value is placed nearest to the newest one returned so
 * far, so the results increase with the stream across wraps (the first
 * value comes back as it is; a late packet from before it may give a
 * negative result).  Use one unwrapper for sequence numbers or for
 * timestamps, not both.
 */
void meet_rtp_unwrapper_init(meet_rtp_unwrapper_t *u);
int64_t meet_rtp_unwrap_seq(meet_rtp_unwrapper_t *u, uint16_t seq);
int64_t meet_rtp_unwrap_ts(meet_rtp_unwrapper_t *u, uint32_t ts);


/*
 * Does this RTP payload start a key frame?  codec is a MEET_RTP_CODEC_*.
 * MEET_RTP_KEYFRAME_YES only for the first packet of a key frame (the one
 * a new subscriber can start with, the one that satisfies a PLI);
 * MEET_RTP_KEYFRAME_NO for other packets; MEET_RTP_KEYFRAME_UNKNOWN when
 * the payload is truncated or malformed, or uses a form not handled (H.264
 * STAP-B, MTAP, FU-B), or the codec is unknown.
 *   VP8: S = 1, partition 0, and the payload header's P bit (inverse key
 *     frame flag) 0 with the start code 9d 01 2a;
 *   VP9: B = 1, P = 0, spatial layer 0 (when L is present), and the
 *     frame's uncompressed header says KEY_FRAME (the descriptor alone is
 *     not trusted: some packetizers always send P = 0);
 *   H.264: an IDR slice (type 5) or SPS (7) alone, inside a STAP-A, or as
 *     the start fragment of an FU-A;
 *   AV1: the aggregation header's N bit (first packet of a coded video
 *     sequence), Z = 0.
 */
int meet_rtp_keyframe(unsigned codec, const u_char *payload, size_t len);
int meet_rtp_vp8_keyframe(const u_char *payload, size_t len);
int meet_rtp_vp9_keyframe(const u_char *payload, size_t len);
int meet_rtp_h264_keyframe(const u_char *payload, size_t len);
int meet_rtp_av1_keyframe(const u_char *payload, size_t len);


/*
 * Forwarding state (see meet_rtp_rewriter_t).  clock_rate in Hz (90000
 * video, 48000 Opus; 0 means 90000).  now_ms is a monotonic clock in
 * milliseconds (nginx: ngx_current_msec).
 *
 * meet_rtp_rewriter_map(): the outgoing sequence number and timestamp of an
 * incoming packet: MEET_RTP_RW_FORWARD with *out_seq and *out_ts set, or
 * MEET_RTP_RW_DROP.  meet_rtp_rewriter_apply() does the same for the packet
 * p[0..n) parsed into h and writes out_ssrc, the sequence number and the
 * timestamp into it (MEET_RTP_RW_DROP too when n is not a packet).
 * meet_rtp_rewriter_switch(): the next packet starts a new mapping even if
 * it has the same SSRC.
 *
 * meet_rtp_rewriter_copy(): what an SFU sends the receiver of rw: the
 * packet p[0..n) parsed into h, written into out[0..size) (which must not
 * overlap p) without its header extension: the fixed header with X
 * cleared, payload type pt (the marker bit kept), out_ssrc and the
 * rewritten sequence number and timestamp, the CSRCs, then the payload
 * and padding as they were.  resend < 0: the packet is mapped as by
 * _map(); resend 0..65535: a retransmission the receiver asked for (a
 * NACK) by that outgoing sequence number, not mapped, its timestamp
 * shifted by the current mapping's offset.  Returns the length written
 * (at most n), or 0 when the packet is not sent: the rewriter drops it,
 * it does not fit into size, or p, n and h are not a packet and its
 * header.  No allocation; the only copy is the one into out.
 */
void meet_rtp_rewriter_init(meet_rtp_rewriter_t *rw, uint32_t out_ssrc,
    uint32_t clock_rate);
void meet_rtp_rewriter_switch(meet_rtp_rewriter_t *rw);
int meet_rtp_rewriter_map(meet_rtp_rewriter_t *rw, uint32_t ssrc,
    uint16_t seq, uint32_t ts, uint64_t now_ms, uint16_t *out_seq,
    uint32_t *out_ts);
int meet_rtp_rewriter_apply(meet_rtp_rewriter_t *rw, u_char *p, size_t n,
    const meet_rtp_header_t *h, uint64_t now_ms);
size_t meet_rtp_rewriter_copy(meet_rtp_rewriter_t *rw, u_char *out,
    size_t size, const u_char *p, size_t n, const meet_rtp_header_t *h,
    unsigned pt, int resend, uint64_t now_ms);


/*
 * Retransmission streams (RFC 4588).  An RTX packet carries one packet of
 * the original stream on a stream of its own (its payload type, SSRC and
 * sequence numbers), with the original timestamp and marker bit and the
 * original sequence number (OSN, 2 bytes, network order) before the
 * original payload.  Both functions write into out[0..size), which must
 * not overlap p; pt and rtx_pt are 0..127 (higher bits are ignored).
 *
 * meet_rtp_rtx_unwrap(): the original packet of the RTX packet p[0..n)
 * parsed into h: its header as it is (X, P and CC bits, CSRCs, header
 * extension and marker bit kept) with payload type pt, the OSN as the
 * sequence number and SSRC ssrc, then the payload after the OSN and the
 * padding as they were.  Returns n - 2, or 0 when there is no packet in
 * it: a payload shorter than 2 bytes (the padding-only packets senders
 * probe bandwidth with), n - 2 > size, or p, n and h are not a packet and
 * its header.
 *
 * meet_rtp_rtx_wrap(): the RTX packet carrying the packet p[0..n) parsed
 * into h: the fixed header with X and P cleared, payload type rtx_pt (the
 * marker bit kept), sequence number rtx_seq, timestamp ts and SSRC
 * rtx_ssrc, the CSRCs, then osn and the payload, without the header
 * extension and the padding.  Returns the length, 12 + 4 * h->cc + 2 +
 * h->payload_len, or 0 when that is more than size or p, n and h are not
 * a packet and its header.
 *
 * Wrapping with osn = h->seq and ts = h->ts, then unwrapping with h->pt
 * and h->ssrc gives the packet back without its header extension and its
 * padding (X and P clear).  No allocation; the only copy is the one into
 * out.
 */
size_t meet_rtp_rtx_unwrap(u_char *out, size_t size, const u_char *p,
    size_t n, const meet_rtp_header_t *h, unsigned pt, uint32_t ssrc);
size_t meet_rtp_rtx_wrap(u_char *out, size_t size, const u_char *p, size_t n,
    const meet_rtp_header_t *h, unsigned rtx_pt, uint32_t rtx_ssrc,
    uint16_t rtx_seq, uint16_t osn, uint32_t ts);


/*
 * Loss tracking for NACKs (RFC 4585) on the receiving side of one stream.
 * meet_rtp_nack_packet() takes each packet's sequence number as it
 * arrives (or as an RTX retransmission gives it back) and says what it is:
 *   MEET_RTP_NACK_NEW: newer than any seen (the numbers skipped become
 *     missing, at most MEET_RTP_NACK_MAX; a jump of more than
 *     MEET_RTP_NACK_RESET is a restart and nothing is missing);
 *   MEET_RTP_NACK_RECOVERED: it was missing (late or retransmitted), also
 *     when it comes after it was given up on (the last
 *     MEET_RTP_NACK_GONE of those are remembered);
 *   MEET_RTP_NACK_DUPLICATE: seen already, or older than the window:
 *     forwarding it again is of no use.
 * A missing number is due for a NACK at once, then again every retry_ms
 * until max_tries NACKs went unanswered for retry_ms each, or it is
 * max_age_ms old (given up, counted in gave_up).  meet_rtp_nack_due() writes the numbers due now
 * (oldest first, at most max) and schedules their next NACK.
 */

#define MEET_RTP_NACK_MAX            64
#define MEET_RTP_NACK_RESET          1000
#define MEET_RTP_NACK_GONE           32

#define MEET_RTP_NACK_NEW            1
#define MEET_RTP_NACK_RECOVERED      2
#define MEET_RTP_NACK_DUPLICATE      3

typedef struct {
    uint64_t                  first_ms;
    uint64_t                  next_ms;
    uint16_t                  seq;
    uint8_t                   tries;
} meet_rtp_nack_item_t;

typedef struct {
    meet_rtp_nack_item_t      items[MEET_RTP_NACK_MAX];   /* oldest first */
    unsigned                  n;
    uint16_t                  gone[MEET_RTP_NACK_GONE];   /* given up on */
    unsigned                  ngone;        /* entries used */
    unsigned                  gone_next;    /* ring position */
    uint16_t                  max_seq;
    unsigned                  retry_ms;
    unsigned                  max_tries;
    unsigned                  max_age_ms;
    uint64_t                  gave_up;
    unsigned                  started:1;
} meet_rtp_nack_t;

void meet_rtp_nack_init(meet_rtp_nack_t *nk, unsigned retry_ms,
    unsigned max_tries, unsigned max_age_ms);
int meet_rtp_nack_packet(meet_rtp_nack_t *nk, uint16_t seq, uint64_t now_ms);
unsigned meet_rtp_nack_due(meet_rtp_nack_t *nk, uint64_t now_ms,
    uint16_t *out, unsigned max);


/*
 * Retransmissions to one receiver (answers to its NACKs), bounded the way
 * libwebrtc's sender and LiveKit's downtrack bound theirs:
 *   - one sequence number at most once per window_ms (libwebrtc's
 *     RtpPacketHistory resends a packet at most once per RTT; LiveKit's
 *     sequencer at most once per min(100 ms, 2 RTT)), and max_resends
 *     times in all (LiveKit's maxAck, 3);
 *   - bytes: a budget credited with rate_pct % of every media byte sent to
 *     the receiver, and holding at most rate_pct % of the media bytes of
 *     the last second (libwebrtc's retransmission rate limiter keeps
 *     resends under the send bitrate).
 * The caller gives nslots slots (one per packet of its history; seq %
 * nslots picks one), so nothing is allocated.
 * meet_rtp_resend_sent(): a media packet (not a resend) with that sequence
 *   number and len bytes went to the receiver at now_ms: the budget grows,
 *   the number's slot starts again.
 * meet_rtp_resend_check(): may seq (len bytes) be sent again at now_ms?
 *   MEET_RTP_RESEND_OK (counted as sent: the caller sends it),
 *   MEET_RTP_RESEND_REPEAT (within window_ms of the last resend, or resent
 *   max_resends times already), MEET_RTP_RESEND_RATE (over the budget).
 */

#define MEET_RTP_RESEND_OK           0
#define MEET_RTP_RESEND_REPEAT       1
#define MEET_RTP_RESEND_RATE         2

typedef struct {
    uint32_t                  last_ms;      /* of its last resend */
    uint16_t                  seq;
    uint8_t                   resends;      /* 0: not resent */
} meet_rtp_resend_slot_t;

typedef struct {
    meet_rtp_resend_slot_t   *slots;
    unsigned                  nslots;
    unsigned                  window_ms;
    unsigned                  max_resends;
    unsigned                  rate_pct;
    uint64_t                  sec_start_ms; /* this second of media */
    uint64_t                  sec_bytes;    /*   its bytes */
    uint64_t                  prev_bytes;   /* the second before */
    uint64_t                  credit;       /* bytes * 100 */
    unsigned                  started:1;
} meet_rtp_resend_t;

void meet_rtp_resend_init(meet_rtp_resend_t *rs, meet_rtp_resend_slot_t *slots,
    unsigned nslots, unsigned window_ms, unsigned max_resends,
    unsigned rate_pct);
void meet_rtp_resend_sent(meet_rtp_resend_t *rs, uint16_t seq, size_t len,
    uint64_t now_ms);
int meet_rtp_resend_check(meet_rtp_resend_t *rs, uint16_t seq, size_t len,
    uint64_t now_ms);


/*
 * A video stream's packets for retransmission, in the caller's slots (a
 * power of two of them; seq % nslots picks one), sized by the stream's
 * packet rate: the caller keeps about a second of it (LiveKit keeps a
 * second's packets, pkg/sfu/buffer/buffer_base.go maybeGrowBucket();
 * libwebrtc max(1 s, 3 RTT)).
 * meet_rtp_history_put(): a packet of len bytes (at most
 *   MEET_RTP_HISTORY_MTU, else not kept) arrived; it replaces what its
 *   slot held.
 * meet_rtp_history_get(): the packet seq if its slot still holds it, else
 *   NULL.
 * meet_rtp_history_rate(): counts a packet at now_ms; when a second ended,
 *   the number of slots the stream needs, if that is not nslots: the
 *   least power of two from min to max that holds a second's packets,
 *   more as soon as a second needed more, fewer after
 *   MEET_RTP_HISTORY_QUIET seconds in a row that needed a quarter or less;
 *   else 0.  What a second needs is its packets and a quarter more.
 * meet_rtp_history_move(): the packets into other slots (when there are
 *   fewer, the newest of those that share one), which become the history's.
 */

#define MEET_RTP_HISTORY_MTU         1500
#define MEET_RTP_HISTORY_QUIET       10

typedef struct {
    uint16_t                  seq;
    uint16_t                  len;          /* 0: empty */
    u_char                    data[MEET_RTP_HISTORY_MTU];
} meet_rtp_history_slot_t;

typedef struct {
    meet_rtp_history_slot_t  *slots;
    unsigned                  nslots;       /* 0: no history */
    uint16_t                  max_seq;      /* the newest packet's */
    uint64_t                  sec_start_ms; /* this second of packets */
    unsigned                  sec_packets;  /*   its count */
    unsigned                  rate;         /* the last second's */
    unsigned                  quiet;        /* seconds in a row needing a
                                               quarter of nslots or less */
    unsigned                  started:1;
    unsigned                  have:1;       /* max_seq is known */
} meet_rtp_history_t;

void meet_rtp_history_init(meet_rtp_history_t *hi,
    meet_rtp_history_slot_t *slots, unsigned nslots);
void meet_rtp_history_put(meet_rtp_history_t *hi, uint16_t seq,
    const u_char *p, size_t len);
const meet_rtp_history_slot_t *meet_rtp_history_get(meet_rtp_history_t *hi,
    uint16_t seq);
unsigned meet_rtp_history_rate(meet_rtp_history_t *hi, uint64_t now_ms,
    unsigned min, unsigned max);
void meet_rtp_history_move(meet_rtp_history_t *hi,
    meet_rtp_history_slot_t *slots, unsigned nslots);


#endif /* _MEET_RTP_H_INCLUDED_ */
