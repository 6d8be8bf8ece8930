import CZlib

/// Decompresses a gzip stream (several concatenated members allowed) from another source.
///
/// zlib keeps a pointer back to its `z_stream` in its internal state and checks it on every call,
/// so the stream lives at one address for the source's whole life: allocated once in `init`,
/// freed in `deinit`, never a Swift property passed as `&stream` (which may hand zlib a temporary).
public final class GzipSource<Compressed: ByteSource>: ByteSource {
    private var input: Compressed
    private let stream: UnsafeMutablePointer<z_stream>
    private let inputBuffer: UnsafeMutablePointer<UInt8>
    private let inputCapacity = 256 * 1024
    private var inputEnded = false
    private var memberEnded = false
    private let path: String

    /// - Throws: `ReadError` when zlib cannot start.
    public init(_ input: Compressed, path: String) throws {
        self.input = input
        self.path = path
        inputBuffer = .allocate(capacity: inputCapacity)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard czlib_inflate_init_gzip(stream) == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            inputBuffer.deallocate()
            throw ReadError(path: path, reason: "cannot start gzip decompression")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        inputBuffer.deallocate()
    }

    public var bytesConsumed: Int64 { input.bytesConsumed }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = UInt32(buffer.count)
        while stream.pointee.avail_out == UInt32(buffer.count) {
            if stream.pointee.avail_in == 0 && !inputEnded {
                let n = try input.read(into: UnsafeMutableRawBufferPointer(start: inputBuffer, count: inputCapacity))
                if n == 0 { inputEnded = true } else {
                    stream.pointee.next_in = inputBuffer
                    stream.pointee.avail_in = UInt32(n)
                }
            }
            if stream.pointee.avail_in == 0 && inputEnded {
                if memberEnded || stream.pointee.total_in == 0 { return 0 }
                throw ReadError(path: path, reason: "the gzip data is truncated")
            }
            if memberEnded {
                // Another gzip member follows the one that ended.
                inflateReset(stream)
                memberEnded = false
            }
            let rc = inflate(stream, Z_NO_FLUSH)
            switch rc {
            case Z_OK, Z_BUF_ERROR: break
            case Z_STREAM_END: memberEnded = true
            default: throw ReadError(path: path, reason: "not valid gzip data")
            }
        }
        return buffer.count - Int(stream.pointee.avail_out)
    }
}

/// Opens a file for reading, decompressing it when it starts with the gzip magic bytes.
public enum ExtractFile {
    /// A source for `path` and the file's size in bytes.
    public static func open(_ path: String) throws -> (source: any ByteSource, size: Int64) {
        let file = try FileSource(path: path)
        var magic = [UInt8](repeating: 0, count: 2)
        let probe = try FileSource(path: path)
        let n = try magic.withUnsafeMutableBytes { try probe.read(into: $0) }
        if n == 2 && magic == [0x1F, 0x8B] {
            return (try GzipSource(file, path: path), file.size)
        }
        return (file, file.size)
    }

    /// Like `open(_:)`, with every byte of the file as stored (compressed, for gzip) handed to
    /// `observer` as the returned source reads it; `raw.drain()` reads what a reader left.
    public static func open(_ path: String, observer: @escaping (UnsafeRawBufferPointer) -> Void) throws
        -> (source: any ByteSource, raw: ObservedSource) {
        let file = try ObservedSource(path: path, observe: observer)
        var magic = [UInt8](repeating: 0, count: 2)
        let probe = try FileSource(path: path)
        let n = try magic.withUnsafeMutableBytes { try probe.read(into: $0) }
        if n == 2 && magic == [0x1F, 0x8B] {
            return (try GzipSource(file, path: path), file)
        }
        return (file, file)
    }
}
