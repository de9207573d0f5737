
/*
 * Copyright (C) ngx_meet authors
 *
 * RTCP parsing and building for the SFU.  See meet_rtcp.h.
 */


#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "meet_rtcp.h"


#define meet_rtcp_rd16(p)                                                     \
    ((uint16_t) (((uint16_t) (p)[0] << 8) | (p)[1]))

#define meet_rtcp_rd24(p)                                                     \
    (((uint32_t) (p)[0] << 16) | ((uint32_t) (p)[1] << 8) | (p)[2])

#define meet_rtcp_rd32(p)                                                     \
    (((uint32_t) (p)[0] << 24) | ((uint32_t) (p)[1] << 16)                    \
     | ((uint32_t) (p)[2] << 8) | (p)[3])

#define MEET_RTCP_NTP_UNIX_OFFSET    2208988800ULL  /* 1900 to 1970, s */
#define MEET_RTCP_MAX_NACK_ENTRIES   65533

/* the sizes of the TWCC receive deltas, by symbol */
#define meet_rtcp_twcc_delta_size(sym)  ((size_t) (sym))


static void meet_rtcp_wr16(u_char *p, uint16_t v);
static void meet_rtcp_wr24(u_char *p, uint32_t v);
static void meet_rtcp_wr32(u_char *p, uint32_t v);
static void meet_rtcp_header(u_char *p, unsigned count, unsigned pt,
    size_t len);
static int32_t meet_rtcp_s24(uint32_t v);
static int meet_rtcp_twcc_walk(const meet_rtcp_twcc_t *tw,
    meet_rtcp_twcc_status_t *out, size_t max, size_t *deltas_off,
    size_t *deltas_len);
static u_char *meet_rtcp_write_block(u_char *p,
    const meet_rtcp_report_block_t *rb);
static size_t meet_rtcp_nack_entries(const uint16_t *seqs, size_t n,
    u_char *fci);


static void
meet_rtcp_wr16(u_char *p, uint16_t v)
{
    p[0] = (u_char) (v >> 8);
    p[1] = (u_char) v;
}


static void
meet_rtcp_wr24(u_char *p, uint32_t v)
{
    p[0] = (u_char) (v >> 16);
    p[1] = (u_char) (v >> 8);
    p[2] = (u_char) v;
}


static void
meet_rtcp_wr32(u_char *p, uint32_t v)
{
    p[0] = (u_char) (v >> 24);
    p[1] = (u_char) (v >> 16);
    p[2] = (u_char) (v >> 8);
    p[3] = (u_char) v;
}


/* len: the whole packet in bytes, a multiple of 4 */

static void
meet_rtcp_header(u_char *p, unsigned count, unsigned pt, size_t len)
{
    p[0] = (u_char) (0x80 | (count & 0x1f));
    p[1] = (u_char) pt;
    meet_rtcp_wr16(p + 2, (uint16_t) (len / 4 - 1));
}


static int32_t
meet_rtcp_s24(uint32_t v)
{
    return (v & 0x800000) ? (int32_t) v - 0x1000000 : (int32_t) v;
}


void
meet_rtcp_iter_init(meet_rtcp_iter_t *it, const u_char *p, size_t n)
{
    if (it == NULL) {
        return;
    }

    it->p = p;
    it->n = (p == NULL) ? 0 : n;
    it->off = 0;
    it->error = 0;
}


int
meet_rtcp_next(meet_rtcp_iter_t *it, meet_rtcp_packet_t *pkt)
{
    size_t         rest, len, pad;
    const u_char  *h;

    if (it == NULL || pkt == NULL) {
        return MEET_RTCP_ERR_TRUNCATED;
    }

    if (it->error) {
        return it->error;
    }

    if (it->off == it->n) {
        if (it->n == 0) {
            it->error = MEET_RTCP_ERR_TRUNCATED;
            return it->error;
        }

        return 0;
    }

    rest = it->n - it->off;
    h = it->p + it->off;

    if (rest < MEET_RTCP_HEADER_LEN) {
        it->error = MEET_RTCP_ERR_TRUNCATED;
        return it->error;
    }

    if ((h[0] >> 6) != 2) {
        it->error = MEET_RTCP_ERR_VERSION;
        return it->error;
    }

    len = ((size_t) meet_rtcp_rd16(h + 2) + 1) * 4;

    if (len > rest) {
        it->error = MEET_RTCP_ERR_LENGTH;
        return it->error;
    }

    pad = 0;

    if (h[0] & 0x20) {
        if (len != rest) {
            /* RFC 3550 6.4.1: padding only on the last packet */
            it->error = MEET_RTCP_ERR_PADDING;
            return it->error;
        }

        pad = h[len - 1];

        if (pad == 0 || pad > len - MEET_RTCP_HEADER_LEN) {
            it->error = MEET_RTCP_ERR_PADDING;
            return it->error;
        }
    }

    pkt->p = h;
    pkt->len = len;
    pkt->body = h + MEET_RTCP_HEADER_LEN;
    pkt->body_len = len - MEET_RTCP_HEADER_LEN - pad;
    pkt->pt = h[1];
    pkt->count = h[0] & 0x1f;
    pkt->padding = (uint8_t) pad;

    it->off += len;

    return 1;
}


int
meet_rtcp_validate(const u_char *p, size_t n)
{
    int                 rc, count;
    meet_rtcp_iter_t    it;
    meet_rtcp_packet_t  pkt;

    meet_rtcp_iter_init(&it, p, n);

    count = 0;

    while ((rc = meet_rtcp_next(&it, &pkt)) == 1) {
        count++;
    }

    return rc < 0 ? rc : count;
}


int
meet_rtcp_parse_report(const meet_rtcp_packet_t *pkt, meet_rtcp_report_t *r)
{
    size_t         need;
    const u_char  *b;

    if (pkt == NULL || r == NULL || pkt->body == NULL) {
        return MEET_RTCP_ERR_TRUNCATED;
    }

    b = pkt->body;
    need = (size_t) pkt->count * MEET_RTCP_REPORT_BLOCK_LEN;

    if (pkt->pt == MEET_RTCP_SR) {
        need += 24;

        if (pkt->body_len < need) {
            return MEET_RTCP_ERR_TRUNCATED;
        }

        r->ssrc = meet_rtcp_rd32(b);
        r->ntp = ((uint64_t) meet_rtcp_rd32(b + 4) << 32)
                 | meet_rtcp_rd32(b + 8);
        r->rtp_ts = meet_rtcp_rd32(b + 12);
        r->packets = meet_rtcp_rd32(b + 16);
        r->octets = meet_rtcp_rd32(b + 20);
        r->blocks = b + 24;

    } else if (pkt->pt == MEET_RTCP_RR) {
        need += 4;

        if (pkt->body_len < need) {
            return MEET_RTCP_ERR_TRUNCATED;
        }

        r->ssrc = meet_rtcp_rd32(b);
        r->ntp = 0;
        r->rtp_ts = 0;
        r->packets = 0;
        r->octets = 0;
        r->blocks = b + 4;

    } else {
        return MEET_RTCP_ERR_TYPE;
    }

    r->nblocks = pkt->count;

    return MEET_RTCP_OK;
}


int
meet_rtcp_report_block(const meet_rtcp_report_t *r, unsigned i,
    meet_rtcp_report_block_t *rb)
{
    const u_char  *b;

    if (r == NULL || rb == NULL || i >= r->nblocks || r->blocks == NULL) {
        return -1;
    }

    b = r->blocks + (size_t) i * MEET_RTCP_REPORT_BLOCK_LEN;

    rb->ssrc = meet_rtcp_rd32(b);
    rb->fraction_lost = b[4];
    rb->cumulative_lost = meet_rtcp_s24(meet_rtcp_rd24(b + 5));
    rb->highest_seq = meet_rtcp_rd32(b + 8);
    rb->jitter = meet_rtcp_rd32(b + 12);
    rb->lsr = meet_rtcp_rd32(b + 16);
    rb->dlsr = meet_rtcp_rd32(b + 20);

    return 0;
}


int
meet_rtcp_parse_fb(const meet_rtcp_packet_t *pkt, meet_rtcp_fb_t *fb)
{
    if (pkt == NULL || fb == NULL || pkt->body == NULL) {
        return MEET_RTCP_ERR_TRUNCATED;
    }

    if (pkt->pt != MEET_RTCP_RTPFB && pkt->pt != MEET_RTCP_PSFB) {
        return MEET_RTCP_ERR_TYPE;
    }

    if (pkt->body_len < 8) {
        return MEET_RTCP_ERR_TRUNCATED;
    }

    fb->pt = pkt->pt;
    fb->fmt = pkt->count;
    fb->sender_ssrc = meet_rtcp_rd32(pkt->body);
    fb->media_ssrc = meet_rtcp_rd32(pkt->body + 4);
    fb->fci = pkt->body + 8;
    fb->fci_len = pkt->body_len - 8;

    return MEET_RTCP_OK;
}


int
meet_rtcp_nack_lost(const meet_rtcp_fb_t *fb, uint16_t *lost, size_t max)
{
    int            total;
    size_t         i;
    unsigned       b, blp;
    uint16_t       pid;
    const u_char  *e;

    if (fb == NULL || fb->fci == NULL) {
        return MEET_RTCP_ERR_INVALID;
    }

    if (fb->pt != MEET_RTCP_RTPFB || fb->fmt != MEET_RTCP_FMT_NACK) {
        return MEET_RTCP_ERR_TYPE;
    }

    if (fb->fci_len == 0 || fb->fci_len % 4) {
        return MEET_RTCP_ERR_INVALID;
    }

    if (lost == NULL) {
        max = 0;
    }

    total = 0;

    for (i = 0; i < fb->fci_len; i += 4) {
        e = fb->fci + i;
        pid = meet_rtcp_rd16(e);
        blp = meet_rtcp_rd16(e + 2);

        if ((size_t) total < max) {
            lost[total] = pid;
        }

        total++;

        for (b = 0; b < 16; b++) {
            if (blp & (1u << b)) {
                if ((size_t) total < max) {
                    lost[total] = (uint16_t) (pid + b + 1);
                }

                total++;
            }
        }
    }

    return total;
}


int
meet_rtcp_is_pli(const meet_rtcp_fb_t *fb)
{
    return fb != NULL && fb->pt == MEET_RTCP_PSFB
           && fb->fmt == MEET_RTCP_FMT_PLI;
}


unsigned
meet_rtcp_fir_count(const meet_rtcp_fb_t *fb)
{
    if (fb == NULL || fb->pt != MEET_RTCP_PSFB
        || fb->fmt != MEET_RTCP_FMT_FIR)
    {
        return 0;
    }

    return (unsigned) (fb->fci_len / 8);
}


int
meet_rtcp_fir_entry(const meet_rtcp_fb_t *fb, unsigned i, uint32_t *ssrc,
    uint8_t *seq)
{
    const u_char  *e;

    if (i >= meet_rtcp_fir_count(fb) || fb->fci == NULL) {
        return -1;
    }

    e = fb->fci + (size_t) i * 8;

    if (ssrc) {
        *ssrc = meet_rtcp_rd32(e);
    }

    if (seq) {
        *seq = e[4];
    }

    return 0;
}


int
meet_rtcp_parse_remb(const meet_rtcp_fb_t *fb, meet_rtcp_remb_t *remb)
{
    unsigned       exp;
    uint64_t       mantissa;
    const u_char  *f;

    if (fb == NULL || remb == NULL || fb->fci == NULL) {
        return MEET_RTCP_ERR_TRUNCATED;
    }

    if (fb->pt != MEET_RTCP_PSFB || fb->fmt != MEET_RTCP_FMT_AFB) {
        return MEET_RTCP_ERR_TYPE;
    }

    f = fb->fci;

    if (fb->fci_len < 4 || memcmp(f, "REMB", 4) != 0) {
        return MEET_RTCP_ERR_TYPE;
    }

    if (fb->fci_len < 8) {
        return MEET_RTCP_ERR_TRUNCATED;
    }

    exp = f[5] >> 2;
    mantissa = ((uint64_t) (f[5] & 0x03) << 16) | meet_rtcp_rd16(f + 6);

    if (exp > 0 && (mantissa >> (64 - exp)) != 0) {
        return MEET_RTCP_ERR_INVALID;
    }

    if ((size_t) f[4] * 4 > fb->fci_len - 8) {
        return MEET_RTCP_ERR_INVALID;
    }

    remb->bitrate = mantissa << exp;
    remb->nssrcs = f[4];
    remb->ssrcs = f + 8;

    return MEET_RTCP_OK;
}


uint32_t
meet_rtcp_remb_ssrc(const meet_rtcp_remb_t *remb, unsigned i)
{
    if (remb == NULL || i >= remb->nssrcs || remb->ssrcs == NULL) {
        return 0;
    }

    return meet_rtcp_rd32(remb->ssrcs + (size_t) i * 4);
}


int
meet_rtcp_parse_twcc(const meet_rtcp_fb_t *fb, meet_rtcp_twcc_t *tw)
{
    const u_char  *f;

    if (fb == NULL || tw == NULL || fb->fci == NULL) {
        return MEET_RTCP_ERR_TRUNCATED;
    }

    if (fb->pt != MEET_RTCP_RTPFB || fb->fmt != MEET_RTCP_FMT_TWCC) {
        return MEET_RTCP_ERR_TYPE;
    }

    if (fb->fci_len < 8) {
        return MEET_RTCP_ERR_TRUNCATED;
    }

    f = fb->fci;

    tw->base_seq = meet_rtcp_rd16(f);
    tw->status_count = meet_rtcp_rd16(f + 2);
    tw->ref_time = meet_rtcp_s24(meet_rtcp_rd24(f + 4));
    tw->fb_count = f[7];
    tw->chunks = f + 8;
    tw->chunks_len = fb->fci_len - 8;

    return MEET_RTCP_OK;
}


/*
 * One pass over the packet status chunks (draft-holmer 3.1.3, 3.1.4):
 *
 *     0 S(2) run length(13)        run length chunk
 *     1 0 14 symbols of 1 bit      status vector chunk
 *     1 1 7 symbols of 2 bits
 *
 * Without out: checks the chunks and finds where the receive deltas start
 * and how many bytes they take.  With out: writes the first max statuses,
 * reading the deltas (already checked to be there).
 */

static int
meet_rtcp_twcc_walk(const meet_rtcp_twcc_t *tw, meet_rtcp_twcc_status_t *out,
    size_t max, size_t *deltas_off, size_t *deltas_len)
{
    size_t         off, need, seen, count, k, nsym, i, d;
    unsigned       c, sym, bits;
    const u_char  *deltas;

    count = tw->status_count;
    deltas = out ? tw->chunks + *deltas_off : NULL;
    off = 0;
    need = 0;
    seen = 0;
    d = 0;

    while (seen < count) {
        if (out && seen >= max) {
            break;
        }

        if (tw->chunks_len - off < 2) {
            return MEET_RTCP_ERR_INVALID;
        }

        c = meet_rtcp_rd16(tw->chunks + off);
        off += 2;

        if ((c & 0x8000) == 0) {
            sym = (c >> 13) & 0x03;
            nsym = c & 0x1fff;
            bits = 0;

            if (sym == 3 && nsym > 0) {
                return MEET_RTCP_ERR_INVALID;
            }

        } else if ((c & 0x4000) == 0) {
            nsym = 14;
            bits = 1;
            sym = 0;

        } else {
            nsym = 7;
            bits = 2;
            sym = 0;
        }

        if (nsym > count - seen) {
            nsym = count - seen;
        }

        if (!out && bits == 0) {
            /* a run: no need to go symbol by symbol */
            need += nsym * meet_rtcp_twcc_delta_size(sym);
            seen += nsym;
            continue;
        }

        for (k = 0; k < nsym; k++) {

            if (bits == 1) {
                sym = (c >> (13 - k)) & 0x01;

            } else if (bits == 2) {
                sym = (c >> (12 - 2 * k)) & 0x03;

                if (sym == 3) {
                    return MEET_RTCP_ERR_INVALID;
                }
            }

            if (out) {
                if (seen >= max) {
                    break;
                }

                i = seen;
                out[i].seq = (uint16_t) (tw->base_seq + seen);
                out[i].status = (uint8_t) sym;

                if (sym == MEET_RTCP_TWCC_SMALL_DELTA) {
                    out[i].delta = deltas[d];

                } else if (sym == MEET_RTCP_TWCC_LARGE_DELTA) {
                    out[i].delta = (int32_t) (meet_rtcp_rd16(deltas + d)
                                              ^ 0x8000) - 0x8000;

                } else {
                    out[i].delta = 0;
                }
            }

            d += meet_rtcp_twcc_delta_size(sym);
            need += meet_rtcp_twcc_delta_size(sym);
            seen++;
        }
    }

    if (!out) {
        if (tw->chunks_len - off < need) {
            return MEET_RTCP_ERR_INVALID;
        }

        *deltas_off = off;
        *deltas_len = need;
    }

    return MEET_RTCP_OK;
}


int
meet_rtcp_twcc_decode(const meet_rtcp_twcc_t *tw,
    meet_rtcp_twcc_status_t *out, size_t max)
{
    int     rc;
    size_t  doff, dlen;

    if (tw == NULL || (tw->chunks == NULL && tw->chunks_len)) {
        return MEET_RTCP_ERR_INVALID;
    }

    rc = meet_rtcp_twcc_walk(tw, NULL, 0, &doff, &dlen);

    if (rc != MEET_RTCP_OK) {
        return rc;
    }

    if (out && max) {
        rc = meet_rtcp_twcc_walk(tw, out, max, &doff, &dlen);

        if (rc != MEET_RTCP_OK) {
            return rc;
        }
    }

    return tw->status_count;
}


int
meet_rtcp_parse_bye(const meet_rtcp_packet_t *pkt, unsigned *count,
    const u_char **ssrcs)
{
    if (pkt == NULL || pkt->body == NULL) {
        return MEET_RTCP_ERR_TRUNCATED;
    }

    if (pkt->pt != MEET_RTCP_BYE) {
        return MEET_RTCP_ERR_TYPE;
    }

    if (pkt->body_len < (size_t) pkt->count * 4) {
        return MEET_RTCP_ERR_TRUNCATED;
    }

    if (count) {
        *count = pkt->count;
    }

    if (ssrcs) {
        *ssrcs = pkt->body;
    }

    return MEET_RTCP_OK;
}


uint32_t
meet_rtcp_bye_ssrc(const u_char *ssrcs, unsigned count, unsigned i)
{
    if (ssrcs == NULL || i >= count) {
        return 0;
    }

    return meet_rtcp_rd32(ssrcs + (size_t) i * 4);
}


int
meet_rtcp_sdes_init(meet_rtcp_sdes_iter_t *it, const meet_rtcp_packet_t *pkt)
{
    if (it == NULL) {
        return -1;
    }

    it->p = NULL;
    it->len = 0;
    it->off = 0;
    it->ssrc = 0;
    it->left = 0;
    it->in_chunk = 0;
    it->error = 0;

    if (pkt == NULL || pkt->body == NULL || pkt->pt != MEET_RTCP_SDES) {
        return -1;
    }

    it->p = pkt->body;
    it->len = pkt->body_len;
    it->left = pkt->count;

    return 0;
}


/*
 * RFC 3550 6.5: a chunk is an SSRC and items (type, length, text), ended
 * by one or more null octets up to the next 32-bit boundary.  The body
 * starts 32-bit aligned, so offsets in it are aligned as in the packet.
 */

int
meet_rtcp_sdes_next(meet_rtcp_sdes_iter_t *it, uint32_t *ssrc,
    unsigned *type, const u_char **text, size_t *len)
{
    size_t  l;

    if (it == NULL) {
        return MEET_RTCP_ERR_INVALID;
    }

    if (it->error) {
        return it->error;
    }

    for ( ;; ) {

        if (!it->in_chunk) {
            if (it->left == 0) {
                return 0;
            }

            if (it->len - it->off < 4) {
                it->error = MEET_RTCP_ERR_INVALID;
                return it->error;
            }

            it->ssrc = meet_rtcp_rd32(it->p + it->off);
            it->off += 4;
            it->left--;
            it->in_chunk = 1;
        }

        if (it->off >= it->len) {
            /* no END item */
            it->error = MEET_RTCP_ERR_INVALID;
            return it->error;
        }

        if (it->p[it->off] == MEET_RTCP_SDES_END) {
            it->off = (it->off + 4) & ~(size_t) 3;

            if (it->off > it->len) {
                it->error = MEET_RTCP_ERR_INVALID;
                return it->error;
            }

            it->in_chunk = 0;
            continue;
        }

        if (it->len - it->off < 2) {
            it->error = MEET_RTCP_ERR_INVALID;
            return it->error;
        }

        l = it->p[it->off + 1];

        if (it->len - it->off - 2 < l) {
            it->error = MEET_RTCP_ERR_INVALID;
            return it->error;
        }

        if (ssrc) {
            *ssrc = it->ssrc;
        }

        if (type) {
            *type = it->p[it->off];
        }

        if (text) {
            *text = it->p + it->off + 2;
        }

        if (len) {
            *len = l;
        }

        it->off += 2 + l;

        return 1;
    }
}


int
meet_rtcp_sdes_cname(const meet_rtcp_packet_t *pkt, uint32_t *ssrc,
    const u_char **cname, size_t *len)
{
    size_t                 l;
    uint32_t               s;
    unsigned               type;
    const u_char          *t;
    meet_rtcp_sdes_iter_t  it;

    if (meet_rtcp_sdes_init(&it, pkt) != 0) {
        return -1;
    }

    while (meet_rtcp_sdes_next(&it, &s, &type, &t, &l) == 1) {
        if (type == MEET_RTCP_SDES_CNAME) {
            if (ssrc) {
                *ssrc = s;
            }

            if (cname) {
                *cname = t;
            }

            if (len) {
                *len = l;
            }

            return 0;
        }
    }

    return -1;
}


size_t
meet_rtcp_build_pli(u_char *buf, size_t size, uint32_t sender_ssrc,
    uint32_t media_ssrc)
{
    if (buf == NULL || size < MEET_RTCP_PLI_LEN) {
        return 0;
    }

    meet_rtcp_header(buf, MEET_RTCP_FMT_PLI, MEET_RTCP_PSFB,
                     MEET_RTCP_PLI_LEN);
    meet_rtcp_wr32(buf + 4, sender_ssrc);
    meet_rtcp_wr32(buf + 8, media_ssrc);

    return MEET_RTCP_PLI_LEN;
}


size_t
meet_rtcp_build_fir(u_char *buf, size_t size, uint32_t sender_ssrc,
    uint32_t media_ssrc, uint8_t seq)
{
    if (buf == NULL || size < MEET_RTCP_FIR_LEN) {
        return 0;
    }

    meet_rtcp_header(buf, MEET_RTCP_FMT_FIR, MEET_RTCP_PSFB,
                     MEET_RTCP_FIR_LEN);
    meet_rtcp_wr32(buf + 4, sender_ssrc);
    meet_rtcp_wr32(buf + 8, 0);
    meet_rtcp_wr32(buf + 12, media_ssrc);
    buf[16] = seq;
    buf[17] = 0;
    buf[18] = 0;
    buf[19] = 0;

    return MEET_RTCP_FIR_LEN;
}


/* packs seqs into PID/BLP entries; returns their number, writes if fci */

static size_t
meet_rtcp_nack_entries(const uint16_t *seqs, size_t n, u_char *fci)
{
    size_t    i, entries;
    unsigned  blp;
    uint16_t  pid, d;

    entries = 0;
    pid = 0;
    blp = 0;

    for (i = 0; i < n; i++) {

        if (entries) {
            d = (uint16_t) (seqs[i] - pid);

            if (d == 0) {
                continue;
            }

            if (d <= 16) {
                blp |= 1u << (d - 1);
                continue;
            }

            if (fci) {
                meet_rtcp_wr16(fci + (entries - 1) * 4, pid);
                meet_rtcp_wr16(fci + (entries - 1) * 4 + 2, (uint16_t) blp);
            }
        }

        entries++;
        pid = seqs[i];
        blp = 0;
    }

    if (fci && entries) {
        meet_rtcp_wr16(fci + (entries - 1) * 4, pid);
        meet_rtcp_wr16(fci + (entries - 1) * 4 + 2, (uint16_t) blp);
    }

    return entries;
}


size_t
meet_rtcp_build_nack(u_char *buf, size_t size, uint32_t sender_ssrc,
    uint32_t media_ssrc, const uint16_t *seqs, size_t n)
{
    size_t  entries, len;

    if (buf == NULL || seqs == NULL || n == 0) {
        return 0;
    }

    entries = meet_rtcp_nack_entries(seqs, n, NULL);

    if (entries > MEET_RTCP_MAX_NACK_ENTRIES) {
        return 0;
    }

    len = 12 + entries * 4;

    if (size < len) {
        return 0;
    }

    meet_rtcp_header(buf, MEET_RTCP_FMT_NACK, MEET_RTCP_RTPFB, len);
    meet_rtcp_wr32(buf + 4, sender_ssrc);
    meet_rtcp_wr32(buf + 8, media_ssrc);
    meet_rtcp_nack_entries(seqs, n, buf + 12);

    return len;
}


static u_char *
meet_rtcp_write_block(u_char *p, const meet_rtcp_report_block_t *rb)
{
    int32_t  lost;

    /* 24-bit signed, clamped (RFC 3550 6.4.1) */

    lost = rb->cumulative_lost;

    if (lost > 0x7fffff) {
        lost = 0x7fffff;

    } else if (lost < -0x800000) {
        lost = -0x800000;
    }

    meet_rtcp_wr32(p, rb->ssrc);
    p[4] = rb->fraction_lost;
    meet_rtcp_wr24(p + 5, (uint32_t) lost & 0xffffff);
    meet_rtcp_wr32(p + 8, rb->highest_seq);
    meet_rtcp_wr32(p + 12, rb->jitter);
    meet_rtcp_wr32(p + 16, rb->lsr);
    meet_rtcp_wr32(p + 20, rb->dlsr);

    return p + MEET_RTCP_REPORT_BLOCK_LEN;
}


size_t
meet_rtcp_build_rr(u_char *buf, size_t size, uint32_t sender_ssrc,
    const meet_rtcp_report_block_t *blocks, unsigned n)
{
    size_t    len;
    u_char   *p;
    unsigned  i;

    if (buf == NULL || n > MEET_RTCP_MAX_BLOCKS || (n && blocks == NULL)) {
        return 0;
    }

    len = MEET_RTCP_RR_LEN + (size_t) n * MEET_RTCP_REPORT_BLOCK_LEN;

    if (size < len) {
        return 0;
    }

    meet_rtcp_header(buf, n, MEET_RTCP_RR, len);
    meet_rtcp_wr32(buf + 4, sender_ssrc);

    p = buf + 8;

    for (i = 0; i < n; i++) {
        p = meet_rtcp_write_block(p, &blocks[i]);
    }

    return len;
}


size_t
meet_rtcp_build_sr(u_char *buf, size_t size,
    const meet_rtcp_sender_info_t *si, const meet_rtcp_report_block_t *blocks,
    unsigned n)
{
    size_t    len;
    u_char   *p;
    unsigned  i;

    if (buf == NULL || si == NULL || n > MEET_RTCP_MAX_BLOCKS
        || (n && blocks == NULL))
    {
        return 0;
    }

    len = MEET_RTCP_SR_LEN + (size_t) n * MEET_RTCP_REPORT_BLOCK_LEN;

    if (size < len) {
        return 0;
    }

    meet_rtcp_header(buf, n, MEET_RTCP_SR, len);
    meet_rtcp_wr32(buf + 4, si->ssrc);
    meet_rtcp_wr32(buf + 8, (uint32_t) (si->ntp >> 32));
    meet_rtcp_wr32(buf + 12, (uint32_t) si->ntp);
    meet_rtcp_wr32(buf + 16, si->rtp_ts);
    meet_rtcp_wr32(buf + 20, si->packets);
    meet_rtcp_wr32(buf + 24, si->octets);

    p = buf + 28;

    for (i = 0; i < n; i++) {
        p = meet_rtcp_write_block(p, &blocks[i]);
    }

    return len;
}


void
meet_rtcp_remb_encode(uint64_t bitrate, uint32_t *mantissa,
    unsigned *exponent)
{
    unsigned  exp;

    exp = 0;

    while ((bitrate >> exp) >= (1u << 18)) {
        exp++;
    }

    if (mantissa) {
        *mantissa = (uint32_t) (bitrate >> exp);
    }

    if (exponent) {
        *exponent = exp;
    }
}


size_t
meet_rtcp_build_remb(u_char *buf, size_t size, uint32_t sender_ssrc,
    uint64_t bitrate, const uint32_t *ssrcs, unsigned n)
{
    size_t    len;
    unsigned  i, exp;
    uint32_t  mantissa;

    if (buf == NULL || n > MEET_RTCP_MAX_REMB_SSRCS || (n && ssrcs == NULL)) {
        return 0;
    }

    len = 20 + (size_t) n * 4;

    if (size < len) {
        return 0;
    }

    meet_rtcp_remb_encode(bitrate, &mantissa, &exp);

    meet_rtcp_header(buf, MEET_RTCP_FMT_AFB, MEET_RTCP_PSFB, len);
    meet_rtcp_wr32(buf + 4, sender_ssrc);
    meet_rtcp_wr32(buf + 8, 0);
    memcpy(buf + 12, "REMB", 4);
    buf[16] = (u_char) n;
    buf[17] = (u_char) ((exp << 2) | (mantissa >> 16));
    meet_rtcp_wr16(buf + 18, (uint16_t) mantissa);

    for (i = 0; i < n; i++) {
        meet_rtcp_wr32(buf + 20 + (size_t) i * 4, ssrcs[i]);
    }

    return len;
}


size_t
meet_rtcp_build_sdes_cname(u_char *buf, size_t size, uint32_t ssrc,
    const u_char *cname, size_t len)
{
    size_t  chunk, total;

    if (buf == NULL || cname == NULL || len == 0 || len > 255) {
        return 0;
    }

    /* SSRC, type, length, text, at least one null octet, aligned */

    chunk = (4 + 2 + len + 1 + 3) & ~(size_t) 3;
    total = MEET_RTCP_HEADER_LEN + chunk;

    if (size < total) {
        return 0;
    }

    meet_rtcp_header(buf, 1, MEET_RTCP_SDES, total);
    meet_rtcp_wr32(buf + 4, ssrc);
    buf[8] = MEET_RTCP_SDES_CNAME;
    buf[9] = (u_char) len;
    memcpy(buf + 10, cname, len);
    memset(buf + 10 + len, 0, total - 10 - len);

    return total;
}


size_t
meet_rtcp_build_compound(u_char *buf, size_t size,
    const meet_rtcp_sender_info_t *si, uint32_t sender_ssrc,
    const meet_rtcp_report_block_t *blocks, unsigned n, const u_char *cname,
    size_t cname_len)
{
    size_t  a, b;

    if (buf == NULL) {
        return 0;
    }

    if (si) {
        a = meet_rtcp_build_sr(buf, size, si, blocks, n);
        sender_ssrc = si->ssrc;

    } else {
        a = meet_rtcp_build_rr(buf, size, sender_ssrc, blocks, n);
    }

    if (a == 0) {
        return 0;
    }

    b = meet_rtcp_build_sdes_cname(buf + a, size - a, sender_ssrc, cname,
                                   cname_len);

    return b ? a + b : 0;
}


uint64_t
meet_rtcp_ntp_from_unix_us(uint64_t us)
{
    uint64_t  sec, frac;

    sec = us / 1000000 + MEET_RTCP_NTP_UNIX_OFFSET;
    frac = ((us % 1000000) << 32) / 1000000;

    return (sec << 32) | frac;
}


uint32_t
meet_rtcp_ntp_mid(uint64_t ntp)
{
    return (uint32_t) (ntp >> 16);
}


int
meet_rtcp_fb_rewrite(u_char *p, size_t n, uint32_t sender_ssrc,
    uint32_t media_ssrc)
{
    size_t    len, pad, off;
    unsigned  fmt;

    if (p == NULL || n < 12 || (p[0] >> 6) != 2) {
        return -1;
    }

    if (p[1] != MEET_RTCP_RTPFB && p[1] != MEET_RTCP_PSFB) {
        return -1;
    }

    len = ((size_t) meet_rtcp_rd16(p + 2) + 1) * 4;

    if (len < 12 || len > n) {
        return -1;
    }

    pad = (p[0] & 0x20) ? p[len - 1] : 0;

    if ((p[0] & 0x20) && (pad == 0 || pad > len - 12)) {
        return -1;
    }

    fmt = p[0] & 0x1f;

    if (p[1] == MEET_RTCP_PSFB && fmt == MEET_RTCP_FMT_AFB) {
        return -1;
    }

    meet_rtcp_wr32(p + 4, sender_ssrc);

    if (p[1] == MEET_RTCP_PSFB && fmt == MEET_RTCP_FMT_FIR) {
        for (off = 12; off + 8 <= len - pad; off += 8) {
            meet_rtcp_wr32(p + off, media_ssrc);
        }

        return 0;
    }

    meet_rtcp_wr32(p + 8, media_ssrc);

    return 0;
}


size_t
meet_rtcp_build_twcc(u_char *buf, size_t size, uint32_t sender_ssrc,
    uint32_t media_ssrc, uint8_t fb_count, uint16_t base_seq,
    const int64_t *arrival_us, size_t count)
{
    u_char    *p, *end, *deltas, *chunks;
    size_t     i, j, run, first, len, pad, nchunks, ndeltas;
    int64_t    ref, prev, d;
    unsigned   st, st2;

    if (buf == NULL || arrival_us == NULL || count == 0 || count > 8192
        || size < 20)
    {
        return 0;
    }

    for (first = 0; first < count && arrival_us[first] < 0; first++) {
        /* void */
    }

    if (first == count) {
        return 0;
    }

    /* reference time: the first arrival, in 64 ms units (24 bits) */

    ref = arrival_us[first] / 64000;
    prev = ref * 64000;

    end = buf + size;

    /* chunks first (run-length), at most one per status change */

    chunks = buf + 20;
    p = chunks;
    nchunks = 0;

    for (i = 0; i < count; i = j) {
        st = 0;

        if (arrival_us[i] >= 0) {
            d = (arrival_us[i] - prev) / 250;
            st = (d >= 0 && d <= 255) ? 1 : 2;
            prev += d * 250;
        }

        /* the run of the same status; prev advances as the deltas will */
        for (j = i + 1, run = 1; j < count && run < 8191; j++) {
            st2 = 0;

            if (arrival_us[j] >= 0) {
                d = (arrival_us[j] - prev) / 250;
                st2 = (d >= 0 && d <= 255) ? 1 : 2;
            }

            if (st2 != st) {
                break;
            }

            if (arrival_us[j] >= 0) {
                prev += d * 250;
            }

            run++;
        }

        if (p + 2 > end) {
            return 0;
        }

        *p++ = (u_char) ((st << 5) | (run >> 8));
        *p++ = (u_char) (run & 0xff);
        nchunks++;
    }

    /* receive deltas, recomputed with the same quantization */

    deltas = p;
    prev = ref * 64000;
    ndeltas = 0;

    for (i = 0; i < count; i++) {
        if (arrival_us[i] < 0) {
            continue;
        }

        d = (arrival_us[i] - prev) / 250;

        if (d >= 0 && d <= 255) {
            if (p + 1 > end) {
                return 0;
            }

            *p++ = (u_char) d;

        } else {
            if (d > 32767) {
                d = 32767;

            } else if (d < -32768) {
                d = -32768;
            }

            if (p + 2 > end) {
                return 0;
            }

            *p++ = (u_char) ((uint16_t) d >> 8);
            *p++ = (u_char) ((uint16_t) d & 0xff);
        }

        prev += d * 250;
        ndeltas++;
    }

    (void) deltas;
    (void) ndeltas;
    (void) nchunks;

    len = p - buf;
    pad = (4 - len % 4) % 4;

    if (p + pad > end) {
        return 0;
    }

    for (i = 0; i < pad; i++) {
        *p++ = (i == pad - 1) ? (u_char) pad : 0;
    }

    len += pad;

    buf[0] = (u_char) (0x80 | (pad ? 0x20 : 0) | 15);
    buf[1] = 205;
    buf[2] = (u_char) ((len / 4 - 1) >> 8);
    buf[3] = (u_char) ((len / 4 - 1) & 0xff);

    buf[4] = (u_char) (sender_ssrc >> 24);
    buf[5] = (u_char) (sender_ssrc >> 16);
    buf[6] = (u_char) (sender_ssrc >> 8);
    buf[7] = (u_char) sender_ssrc;
    buf[8] = (u_char) (media_ssrc >> 24);
    buf[9] = (u_char) (media_ssrc >> 16);
    buf[10] = (u_char) (media_ssrc >> 8);
    buf[11] = (u_char) media_ssrc;
    buf[12] = (u_char) (base_seq >> 8);
    buf[13] = (u_char) base_seq;
    buf[14] = (u_char) (count >> 8);
    buf[15] = (u_char) count;
    buf[16] = (u_char) ((ref >> 16) & 0xff);
    buf[17] = (u_char) ((ref >> 8) & 0xff);
    buf[18] = (u_char) (ref & 0xff);
    buf[19] = fb_count;

    return len;
}


/* receiver statistics (RFC 3550 A.1, A.3, A.8) */


#define MEET_RTCP_MAX_DROPOUT    3000
#define MEET_RTCP_MAX_MISORDER   100
#define MEET_RTCP_SEQ_MOD        (1u << 16)


void
meet_rtcp_rx_init(meet_rtcp_rx_t *rx, uint32_t ssrc, uint32_t clock_rate)
{
    memset(rx, 0, sizeof(meet_rtcp_rx_t));
    rx->ssrc = ssrc;
    rx->clock_rate = clock_rate ? clock_rate : 90000;
    rx->bad_seq = MEET_RTCP_SEQ_MOD + 1;
}


static void
meet_rtcp_rx_restart(meet_rtcp_rx_t *rx, uint16_t seq)
{
    rx->base_seq = seq;
    rx->max_seq = seq;
    rx->bad_seq = MEET_RTCP_SEQ_MOD + 1;
    rx->cycles = 0;
    rx->received = 0;
    rx->received_prior = 0;
    rx->expected_prior = 0;
}


int
meet_rtcp_rx_packet(meet_rtcp_rx_t *rx, uint16_t seq, uint32_t rtp_ts,
    uint64_t arrival_us)
{
    int64_t   arrival, transit, d;
    uint16_t  udelta;

    if (!rx->started) {
        rx->started = 1;
        meet_rtcp_rx_restart(rx, seq);

    } else {
        udelta = (uint16_t) (seq - rx->max_seq);

        if (udelta < MEET_RTCP_MAX_DROPOUT) {
            /* in order, with a permissible gap */
            if (seq < rx->max_seq) {
                rx->cycles += MEET_RTCP_SEQ_MOD;
            }

            rx->max_seq = seq;

        } else if (udelta <= MEET_RTCP_SEQ_MOD - MEET_RTCP_MAX_MISORDER) {
            /* a very large jump */
            if (seq == rx->bad_seq) {
                /* two sequential packets: the source restarted */
                meet_rtcp_rx_restart(rx, seq);
                rx->have_transit = 0;

            } else {
                rx->bad_seq = (seq + 1) & (MEET_RTCP_SEQ_MOD - 1);
                return -1;
            }
        }

        /* else a duplicate or reordered packet: counted */
    }

    rx->received++;

    /* interarrival jitter in timestamp units */

    arrival = (int64_t) (arrival_us * rx->clock_rate / 1000000);
    transit = arrival - (int64_t) rtp_ts;

    if (rx->have_transit) {
        d = transit - rx->transit;
        if (d < 0) {
            d = -d;
        }

        if (d < (int64_t) rx->clock_rate * 10) {
            /* J += (|D| - J) / 16, J kept scaled by 16 */
            rx->jitter += (uint32_t) d - ((rx->jitter + 8) >> 4);
        }
    }

    rx->transit = transit;
    rx->have_transit = 1;

    return 0;
}


void
meet_rtcp_rx_sender_report(meet_rtcp_rx_t *rx, uint64_t ntp, uint64_t now_us)
{
    rx->lsr = meet_rtcp_ntp_mid(ntp);
    rx->lsr_us = now_us;
    rx->have_sr = 1;
}


int
meet_rtcp_rx_block(meet_rtcp_rx_t *rx, uint64_t now_us,
    meet_rtcp_report_block_t *b)
{
    int64_t   lost, lost_interval;
    uint32_t  extended_max, expected, expected_interval, received_interval;
    uint64_t  dlsr;

    if (!rx->started) {
        return -1;
    }

    extended_max = rx->cycles + rx->max_seq;
    expected = extended_max - rx->base_seq + 1;
    lost = (int64_t) expected - rx->received;

    /* 24-bit signed */
    if (lost > 0x7fffff) {
        lost = 0x7fffff;

    } else if (lost < -0x800000) {
        lost = -0x800000;
    }

    expected_interval = expected - rx->expected_prior;
    rx->expected_prior = expected;
    received_interval = rx->received - rx->received_prior;
    rx->received_prior = rx->received;
    lost_interval = (int64_t) expected_interval - received_interval;

    b->ssrc = rx->ssrc;
    if (expected_interval == 0 || lost_interval <= 0) {
        b->fraction_lost = 0;

    } else {
        lost_interval = (lost_interval << 8) / expected_interval;
        b->fraction_lost = (uint8_t) (lost_interval > 255 ? 255
                                                          : lost_interval);
    }

    b->cumulative_lost = (int32_t) lost;
    b->highest_seq = extended_max;
    b->jitter = rx->jitter >> 4;

    if (rx->have_sr) {
        /* delay since that SR in 1/65536 s */
        dlsr = (now_us - rx->lsr_us) * 65536 / 1000000;
        b->lsr = rx->lsr;
        b->dlsr = dlsr > 0xffffffff ? 0xffffffff : (uint32_t) dlsr;

    } else {
        b->lsr = 0;
        b->dlsr = 0;
    }

    return 0;
}
