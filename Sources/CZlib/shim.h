#include <zlib.h>

// inflateInit2 is a macro; Swift needs a function.
static inline int czlib_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 15 + 32);  // 15-bit window, accept gzip and zlib headers
}
