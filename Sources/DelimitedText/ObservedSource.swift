/// A plain file whose every chunk, as it is read, is also handed to an observer: a digest of the
/// file's bytes computed while a reader parses them, so the file is read once.
///
/// Put it under any decompressing source (`ExtractFile.open(_:observer:)` does) so the observer
/// sees the bytes as stored. A reader may stop before the end of the file (an X12 trailer):
/// `drain()` then reads what is left, so the observer has seen every byte.
public final class ObservedSource: ByteSource {
    private let file: FileSource
    private let observe: (UnsafeRawBufferPointer) -> Void

    /// Opens `path`; `observe` is called with each chunk read, in file order.
    ///
    /// - Throws: `ReadError` when the file is missing, a directory or unreadable.
    public init(path: String, observe: @escaping (UnsafeRawBufferPointer) -> Void) throws {
        file = try FileSource(path: path)
        self.observe = observe
    }

    /// The file's size when it was opened.
    public var size: Int64 { file.size }
    /// Bytes read (and observed) so far.
    public var bytesConsumed: Int64 { file.bytesConsumed }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try file.read(into: buffer)
        if n > 0 { observe(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) }
        return n
    }

    /// Reads (and observes) the rest of the file.
    public func drain() throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while try read(into: buffer) > 0 {}
    }
}
