"""An ICC profile (version 2, RGB, matrix and tone curves) whose blue colorant carries most of
the light and whose blue tone curve is a step at 128: through it a colour-managed viewer shows
a blue channel of 112..127 as black and 128..143 as white. Pixels that differ by 16 levels of
blue under colour noise are text only such a viewer shows."""
import struct


def s15(v):
    return struct.pack('>i', round(v * 65536))


def xyz(x, y, z):
    return b'XYZ \0\0\0\0' + s15(x) + s15(y) + s15(z)


def curve(values):
    return b'curv\0\0\0\0' + struct.pack('>I', len(values)) + struct.pack('>%dH' % len(values), *values)


def profile(tags):
    table, body, at = b'', b'', 128 + 4 + 12 * len(tags)
    for sig, data in tags:
        data += bytes(-len(data) % 4)
        table += sig + struct.pack('>II', at + len(body), len(data))
        body += data
    size = at + len(body)
    # Size, CMM, version 2.1, a display's, RGB, XYZ as the connection space, no date, the
    # signature; the D50 illuminant at 68.
    head = struct.pack('>I4sI4s4s4s', size, b'none', 0x02100000, b'mntr', b'RGB ', b'XYZ ') + bytes(12) + b'acsp'
    head += bytes(24) + struct.pack('>I', 0) + s15(0.9642) + s15(1.0) + s15(0.8249)
    head += bytes(128 - len(head))
    return head + struct.pack('>I', len(tags)) + table + body


def step_profile():
    white = (0.9642, 1.0, 0.8249)
    return profile([(b'wtpt', xyz(*white)), (b'rXYZ', xyz(*[0.05 * c for c in white])),
                    (b'gXYZ', xyz(*[0.05 * c for c in white])), (b'bXYZ', xyz(*[0.9 * c for c in white])),
                    (b'rTRC', curve([0, 65535])), (b'gTRC', curve([0, 65535])),
                    (b'bTRC', curve([0 if i < 128 else 65535 for i in range(256)]))])


def hidden_in_blue(mask, rnd):
    """RGB pixels (a flat list of tuples) of colour noise, blue 16 levels higher where `mask`."""
    return [(rnd.randrange(256), rnd.randrange(256), rnd.randrange(112, 128) + (16 if m else 0)) for m in mask]
