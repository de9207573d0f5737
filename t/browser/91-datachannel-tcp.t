# 90-datachannel.t with ICE-TCP only (RFC 6544, RFC 4571 framing): the
# media listener is TCP, so SCTP travels in DTLS records in TCP frames.
#
#   prove -v t/browser/91-datachannel-tcp.t   (as root)
do './t/browser/90-datachannel.t';
die $@ if $@;
