"""The one DER reader the Python test helpers share."""


def tlv(b, i):
    """(tag, content start, content end) of the TLV at offset i of b."""
    tag, n = b[i], b[i + 1]
    i += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(b[i:i + k], "big")
        i += k
    return tag, i, i + n
