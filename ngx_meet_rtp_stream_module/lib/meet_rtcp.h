
/*
 * Copyright (C) ngx_meet authors
 *
 * RTCP for an SFU, in plain C: no nginx types, no allocation, no copies.
 * Parsers accept any bytes and any lengths without reading outside the
 * range they are given and return slices of it; builders write into a
 * caller buffer and return the length written, or 0 when it does not fit
 * or the arguments cannot make a valid packet.
 *
 *     RFC 3550  SR, RR, SDES, BYE, APP, compound packets
 *     RFC 4585  RTPFB/PSFB, generic NACK, PLI
 *     RFC 5104  FIR
 *     RFC 5506  reduced-size RTCP (a compound need not start with SR/RR)
 *     draft-alvestrand-rmcat-remb  REMB
 *     draft-holmer-rmcat-transport-wide-cc-extensions  TWCC feedback
 *
 * Reading a compound packet (after SRTCP unprotect):
 *
 *     meet_rtcp_iter_init(&it, p, n);
 *     while ((rc = meet_rtcp_next(&it, &pkt)) == 1) {
 *         switch (pkt.pt) { case MEET_RTCP_PSFB: meet_rtcp_parse_fb()... }
 *     }
 *     rc < 0: the compound is malformed from that packet on
 *
 * Forwarding a subscriber's PLI/FIR/NACK to the publisher: the packet is
 * p + (pkt.p - p) in the caller's (writable) buffer, pkt.len long;
 * meet_rtcp_fb_rewrite() changes its SSRCs in place.
 */


#ifndef _MEET_RTCP_H_INCLUDED_
#define _MEET_RTCP_H_INCLUDED_


#include <stdint.h>
#include <stddef.h>


/* the same type as nginx's u_char (glibc's <sys/types.h>) */
typedef unsigned char  u_char;


#define MEET_RTCP_OK                 0
#define MEET_RTCP_ERR_TRUNCATED     -1   /* shorter than a header/body */
#define MEET_RTCP_ERR_VERSION       -2   /* version is not 2 */
#define MEET_RTCP_ERR_LENGTH        -3   /* length past the end */
#define MEET_RTCP_ERR_PADDING       -4   /* bad count, or not last */
#define MEET_RTCP_ERR_TYPE          -5   /* other type/FMT than asked */
#define MEET_RTCP_ERR_INVALID       -6   /* fields that do not add up */

/* packet types */
#define MEET_RTCP_SR                 200
#define MEET_RTCP_RR                 201
#define MEET_RTCP_SDES               202
#define MEET_RTCP_BYE                203
#define MEET_RTCP_APP                204
#define MEET_RTCP_RTPFB              205
#define MEET_RTCP_PSFB               206

/* feedback message types (FMT) */
#define MEET_RTCP_FMT_NACK           1    /* RTPFB */
#define MEET_RTCP_FMT_TWCC           15   /* RTPFB */
#define MEET_RTCP_FMT_PLI            1    /* PSFB */
#define MEET_RTCP_FMT_FIR            4    /* PSFB */
#define MEET_RTCP_FMT_AFB            15   /* PSFB, REMB when "REMB" */

/* SDES item types */
#define MEET_RTCP_SDES_END           0
#define MEET_RTCP_SDES_CNAME         1

#define MEET_RTCP_HEADER_LEN         4
#define MEET_RTCP_REPORT_BLOCK_LEN   24
#define MEET_RTCP_MAX_BLOCKS         31   /* RC is 5 bits */
#define MEET_RTCP_MAX_REMB_SSRCS     255
#define MEET_RTCP_PLI_LEN            12
#define MEET_RTCP_FIR_LEN            20   /* with one FCI entry */
#define MEET_RTCP_SR_LEN             28   /* without report blocks */
#define MEET_RTCP_RR_LEN             8    /* without report blocks */

/* TWCC packet status symbols */
#define MEET_RTCP_TWCC_NOT_RECEIVED  0
#define MEET_RTCP_TWCC_SMALL_DELTA   1    /* 1 byte, 0..63.75 ms */
#define MEET_RTCP_TWCC_LARGE_DELTA   2    /* 2 bytes, signed */


/* one packet of a compound */
typedef struct {
    const u_char             *p;            /* its header */
    size_t                    len;          /* (length + 1) * 4 */
    const u_char             *body;         /* p + 4 */
    size_t                    body_len;     /* len - 4 - padding */
    uint8_t                   pt;
    uint8_t                   count;        /* RC, SC or FMT: 5 bits */
    uint8_t                   padding;      /* bytes, 0 without P */
} meet_rtcp_packet_t;


typedef struct {
    const u_char             *p;
    size_t                    n;
    size_t                    off;
    int                       error;
} meet_rtcp_iter_t;


/* RFC 3550 6.4.1 report block */
typedef struct {
    uint32_t                  ssrc;
    uint8_t                   fraction_lost;
    int32_t                   cumulative_lost;  /* 24-bit signed */
    uint32_t                  highest_seq;      /* extended */
    uint32_t                  jitter;
    uint32_t                  lsr;
    uint32_t                  dlsr;
} meet_rtcp_report_block_t;


/* SR (sender info) or RR: the report blocks are read one by one */
typedef struct {
    uint32_t                  ssrc;
    uint64_t                  ntp;          /* SR only */
    uint32_t                  rtp_ts;       /* SR only */
    uint32_t                  packets;      /* SR only */
    uint32_t                  octets;       /* SR only */
    unsigned                  nblocks;
    const u_char             *blocks;       /* nblocks * 24 bytes */
} meet_rtcp_report_t;


/* RTPFB or PSFB common part (RFC 4585 6.1) */
typedef struct {
    uint8_t                   pt;
    uint8_t                   fmt;
    uint32_t                  sender_ssrc;
    uint32_t                  media_ssrc;
    const u_char             *fci;
    size_t                    fci_len;
} meet_rtcp_fb_t;


typedef struct {
    uint64_t                  bitrate;      /* bits per second */
    unsigned                  nssrcs;
    const u_char             *ssrcs;        /* nssrcs * 4 bytes */
} meet_rtcp_remb_t;


/* transport-wide CC feedback header */
typedef struct {
    uint16_t                  base_seq;
    uint16_t                  status_count;
    int32_t                   ref_time;     /* 24-bit signed, * 64 ms */
    uint8_t                   fb_count;
    const u_char             *chunks;       /* chunks, then deltas */
    size_t                    chunks_len;
} meet_rtcp_twcc_t;


/* one packet of a TWCC feedback */
typedef struct {
    uint16_t                  seq;
    uint8_t                   status;       /* MEET_RTCP_TWCC_* */
    int32_t                   delta;        /* in 250 us, 0 if lost */
} meet_rtcp_twcc_status_t;


/* what an SR says about its sender (RFC 3550 6.4.1) */
typedef struct {
    uint32_t                  ssrc;
    uint64_t                  ntp;          /* 32.32 fixed point */
    uint32_t                  rtp_ts;
    uint32_t                  packets;
    uint32_t                  octets;
} meet_rtcp_sender_info_t;


typedef struct {
    const u_char             *p;            /* SDES body */
    size_t                    len;
    size_t                    off;
    uint32_t                  ssrc;         /* of the chunk being read */
    unsigned                  left;         /* chunks not yet begun (SC) */
    unsigned                  in_chunk;
    int                       error;
} meet_rtcp_sdes_iter_t;


/*
 * Walking a compound packet.  meet_rtcp_next() returns 1 and the next
 * packet, 0 after the last one, or a MEET_RTCP_ERR_* (and keeps returning
 * it): version not 2, a length running past the end or leaving less than
 * a header at the end, the P bit on a packet that is not the last one, a
 * padding count of 0 or more than the body.  An empty buffer is
 * MEET_RTCP_ERR_TRUNCATED at the first call.  Any packet type is walked;
 * the first need not be SR or RR (RFC 5506).
 * meet_rtcp_validate() walks the whole compound: the number of packets,
 * or the first error.
 */
void meet_rtcp_iter_init(meet_rtcp_iter_t *it, const u_char *p, size_t n);
int meet_rtcp_next(meet_rtcp_iter_t *it, meet_rtcp_packet_t *pkt);
int meet_rtcp_validate(const u_char *p, size_t n);


/*
 * Parsers of one packet of the walk; MEET_RTCP_OK, MEET_RTCP_ERR_TYPE when
 * the packet is another type, MEET_RTCP_ERR_TRUNCATED when its body is
 * shorter than its fields say.
 *   SR/RR: sender info and the RC report blocks (bytes after them, profile
 *     extensions, are ignored); meet_rtcp_report_block() reads block i
 *     (0 or -1 when i >= nblocks).
 *   RTPFB/PSFB: the two SSRCs and the FCI.
 *   NACK (RTPFB FMT 1): meet_rtcp_nack_lost() lists the lost sequence
 *     numbers of the FCI (PID, then PID + i + 1 for each bit i of BLP) in
 *     FCI order, writing at most max of them; it returns how many there
 *     are in all, or MEET_RTCP_ERR_INVALID when the FCI is empty or not a
 *     multiple of 4 bytes.
 *   PLI (PSFB FMT 1): meet_rtcp_is_pli() 1 or 0.
 *   FIR (PSFB FMT 4): entries of 8 bytes; meet_rtcp_fir_entry() reads
 *     entry i (SSRC and command sequence number): 0, or -1.
 *   REMB (PSFB FMT 15, "REMB"): bitrate = mantissa << exponent;
 *     MEET_RTCP_ERR_INVALID when that does not fit 64 bits or the SSRC list
 *     is longer than the FCI; meet_rtcp_remb_ssrc() reads SSRC i.
 *   TWCC (RTPFB FMT 15): the fixed fields; meet_rtcp_twcc_decode() decodes
 *     the status chunks and receive deltas: up to max statuses written,
 *     returns status_count, or MEET_RTCP_ERR_INVALID (reserved symbol,
 *     chunks or deltas missing).
 *   BYE: the SC SSRCs, meet_rtcp_bye_ssrc() reads SSRC i.
 */
int meet_rtcp_parse_report(const meet_rtcp_packet_t *pkt,
    meet_rtcp_report_t *r);
int meet_rtcp_report_block(const meet_rtcp_report_t *r, unsigned i,
    meet_rtcp_report_block_t *rb);
int meet_rtcp_parse_fb(const meet_rtcp_packet_t *pkt, meet_rtcp_fb_t *fb);
int meet_rtcp_nack_lost(const meet_rtcp_fb_t *fb, uint16_t *lost,
    size_t max);
int meet_rtcp_is_pli(const meet_rtcp_fb_t *fb);
unsigned meet_rtcp_fir_count(const meet_rtcp_fb_t *fb);
int meet_rtcp_fir_entry(const meet_rtcp_fb_t *fb, unsigned i,
    uint32_t *ssrc, uint8_t *seq);
int meet_rtcp_parse_remb(const meet_rtcp_fb_t *fb, meet_rtcp_remb_t *remb);
uint32_t meet_rtcp_remb_ssrc(const meet_rtcp_remb_t *remb, unsigned i);
int meet_rtcp_parse_twcc(const meet_rtcp_fb_t *fb, meet_rtcp_twcc_t *tw);
int meet_rtcp_twcc_decode(const meet_rtcp_twcc_t *tw,
    meet_rtcp_twcc_status_t *out, size_t max);
int meet_rtcp_parse_bye(const meet_rtcp_packet_t *pkt, unsigned *count,
    const u_char **ssrcs);
uint32_t meet_rtcp_bye_ssrc(const u_char *ssrcs, unsigned count,
    unsigned i);

/*
 * SDES (RFC 3550 6.5): meet_rtcp_sdes_init() on an SDES packet (-1 for
 * another type); meet_rtcp_sdes_next() returns 1 with the next item of any
 * chunk (its chunk's SSRC, type and text, a slice), 0 at the end,
 * MEET_RTCP_ERR_INVALID when a chunk or item runs past the packet.
 * meet_rtcp_sdes_cname(): the first CNAME: 0, or -1.
 */
int meet_rtcp_sdes_init(meet_rtcp_sdes_iter_t *it,
    const meet_rtcp_packet_t *pkt);
int meet_rtcp_sdes_next(meet_rtcp_sdes_iter_t *it, uint32_t *ssrc,
    unsigned *type, const u_char **text, size_t *len);
int meet_rtcp_sdes_cname(const meet_rtcp_packet_t *pkt, uint32_t *ssrc,
    const u_char **cname, size_t *len);


/*
 * Builders.  They return the bytes written, 0 if size is too small or the
 * arguments are out of range (no entries, too many entries).
 *   PLI: 12 bytes.  FIR: 20 bytes, one entry for media_ssrc (the header's
 *     media SSRC is 0, RFC 5104 4.3.1.2).
 *   NACK: the sequence numbers packed into PID/BLP entries: a number within
 *     16 after the PID of the current entry sets a bit, any other starts a
 *     new entry (a sorted list gives the fewest entries; any order is
 *     correct).  n >= 1 and at most 65533 entries.
 *   RR, SR: up to 31 report blocks.  REMB: bitrate as 18-bit mantissa and
 *     6-bit exponent, rounded down; up to 255 SSRCs.
 *   SDES: one chunk with a CNAME of 1..255 bytes.
 *   compound: SR when si is not NULL, else RR (with sender_ssrc), with the
 *     blocks, then the SDES CNAME: what RFC 3550 requires of a compound.
 */
size_t meet_rtcp_build_pli(u_char *buf, size_t size, uint32_t sender_ssrc,
    uint32_t media_ssrc);
size_t meet_rtcp_build_fir(u_char *buf, size_t size, uint32_t sender_ssrc,
    uint32_t media_ssrc, uint8_t seq);
size_t meet_rtcp_build_nack(u_char *buf, size_t size, uint32_t sender_ssrc,
    uint32_t media_ssrc, const uint16_t *seqs, size_t n);
size_t meet_rtcp_build_rr(u_char *buf, size_t size, uint32_t sender_ssrc,
    const meet_rtcp_report_block_t *blocks, unsigned n);
size_t meet_rtcp_build_sr(u_char *buf, size_t size,
    const meet_rtcp_sender_info_t *si, const meet_rtcp_report_block_t *blocks,
    unsigned n);
size_t meet_rtcp_build_remb(u_char *buf, size_t size, uint32_t sender_ssrc,
    uint64_t bitrate, const uint32_t *ssrcs, unsigned n);
size_t meet_rtcp_build_sdes_cname(u_char *buf, size_t size, uint32_t ssrc,
    const u_char *cname, size_t len);
size_t meet_rtcp_build_compound(u_char *buf, size_t size,
    const meet_rtcp_sender_info_t *si, uint32_t sender_ssrc,
    const meet_rtcp_report_block_t *blocks, unsigned n, const u_char *cname,
    size_t cname_len);

/* REMB bitrate encoding: mantissa < 2^18, exponent < 64, rounded down */
void meet_rtcp_remb_encode(uint64_t bitrate, uint32_t *mantissa,
    unsigned *exponent);

/*
 * NTP time (RFC 3550 4): meet_rtcp_ntp_from_unix_us() turns microseconds
 * since 1970 into the 64-bit NTP format; meet_rtcp_ntp_mid() is the middle
 * 32 bits, the LSR of a report block.
 */
uint64_t meet_rtcp_ntp_from_unix_us(uint64_t us);
uint32_t meet_rtcp_ntp_mid(uint64_t ntp);


/*
 * In-place rewriting of one feedback packet p[0..n) (a packet of the walk,
 * in the caller's writable buffer) for forwarding, e.g. a subscriber's
 * feedback about our outgoing SSRC turned into feedback to the publisher
 * about its SSRC: the sender SSRC becomes sender_ssrc, and the media SSRC
 * becomes media_ssrc, for FIR in every FCI entry (its header's media SSRC
 * stays 0).  Any RTPFB or PSFB (PLI, FIR, NACK, TWCC) but application
 * layer feedback (PSFB FMT 15, REMB: its SSRCs are in its FCI).  Returns 0,
 * or -1 with nothing written when p is not such a packet.
 */
int meet_rtcp_fb_rewrite(u_char *p, size_t n, uint32_t sender_ssrc,
    uint32_t media_ssrc);

/*
 * Transport-wide congestion control feedback (RTPFB FMT 15,
 * draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1) for
 * count consecutive sequence numbers from base_seq: arrival_us[i] is the
 * arrival time of base_seq + i in microseconds (any monotonic clock), or
 * -1 when it did not arrive.  Run-length chunks; receive deltas of 250 us,
 * one byte when 0..255, else two (signed); padded to 32 bits with the P
 * bit.  At least one packet must have arrived.  Returns the length, or 0
 * when it does not fit or count is 0 or over 8192.
 */
size_t meet_rtcp_build_twcc(u_char *buf, size_t size, uint32_t sender_ssrc,
    uint32_t media_ssrc, uint8_t fb_count, uint16_t base_seq,
    const int64_t *arrival_us, size_t count);


/*
 * Receiver statistics of one RTP source, for report blocks (RFC 3550
 * appendix A.1 sequence validation, A.3 loss, A.8 jitter).
 * meet_rtcp_rx_init(): clock_rate in Hz (0 taken as 90000).
 * meet_rtcp_rx_packet(): every packet that passed SRTP, with its arrival
 *   time in microseconds of a monotonic clock; returns 0, or -1 when the
 *   packet is not counted (a jump of more than 3000 sequence numbers is
 *   taken as a restart once the next packet follows it, as in A.1).
 * meet_rtcp_rx_sender_report(): an SR of that source arrived (its NTP
 *   time), at now_us.
 * meet_rtcp_rx_block(): the report block at now_us; the interval counts
 *   start again (fraction lost is per report).  0, or -1 before any packet.
 */
typedef struct {
    uint32_t                  ssrc;
    uint32_t                  clock_rate;
    uint32_t                  cycles;       /* wraps << 16 */
    uint32_t                  base_seq;
    uint32_t                  bad_seq;
    uint32_t                  received;
    uint32_t                  expected_prior;
    uint32_t                  received_prior;
    uint32_t                  jitter;       /* * 16, A.8 */
    uint32_t                  lsr;
    int64_t                   transit;
    uint64_t                  lsr_us;       /* when that SR arrived */
    uint16_t                  max_seq;
    unsigned                  started:1;
    unsigned                  have_transit:1;
    unsigned                  have_sr:1;
} meet_rtcp_rx_t;

void meet_rtcp_rx_init(meet_rtcp_rx_t *rx, uint32_t ssrc,
    uint32_t clock_rate);
int meet_rtcp_rx_packet(meet_rtcp_rx_t *rx, uint16_t seq, uint32_t rtp_ts,
    uint64_t arrival_us);
void meet_rtcp_rx_sender_report(meet_rtcp_rx_t *rx, uint64_t ntp,
    uint64_t now_us);
int meet_rtcp_rx_block(meet_rtcp_rx_t *rx, uint64_t now_us,
    meet_rtcp_report_block_t *b);


#endif /* _MEET_RTCP_H_INCLUDED_ */
