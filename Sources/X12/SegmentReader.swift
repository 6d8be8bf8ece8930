import DelimitedText

/// A streaming tokenizer of X12 segments, with the separators of each interchange taken from its ISA.
///
/// Before a segment it skips a UTF-8 BOM (at the start of the file), line breaks, spaces, tabs and
/// NUL padding, so files with or without line breaks between segments, indented segments and
/// NUL-padded tails read the same. Memory is bounded by the longest segment (`maxSegmentBytes`):
/// a longer one is skipped and reported as `isOversized`. The last segment of the file may lack
/// its terminator.
///
/// ```swift
/// let reader = SegmentReader(source: MemorySource("ISA*00*...*:~GS*HC*...~"))
/// while try reader.next() { print(reader.segment.id, reader.segmentNumber) }
/// ```
public final class SegmentReader {
    private var source: any ByteSource
    private let maxSegmentBytes: Int

    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var dataEnd = 0
    private var eof = false
    private var position = 0
    private var atFileStart = true

    private var segmentStart = 0
    private var segmentEnd = 0
    /// Element bounds relative to `segmentStart` (they survive the buffer's compaction).
    private var starts: UnsafeMutablePointer<Int>
    private var ends: UnsafeMutablePointer<Int>
    private var elementCapacity = 64
    private var elementCount = 0
    /// The first KiB of an oversized segment.
    private let oversized: UnsafeMutablePointer<UInt8> = .allocate(capacity: 1024)
    private var oversizedCount = 0

    /// The separators of the current interchange (nil before the first ISA).
    public private(set) var separators: Separators?
    /// The current segment's number in the file, counting from 1 (the first ISA).
    public private(set) var segmentNumber = 0
    /// The current segment was longer than the limit: only its id and first KiB were kept.
    public private(set) var isOversized = false
    /// The current segment holds a NUL byte.
    public private(set) var hasNUL = false

    public init(source: any ByteSource, maxSegmentBytes: Int = 64 << 20, chunkBytes: Int = 1 << 20) {
        self.source = source
        self.maxSegmentBytes = max(maxSegmentBytes, Separators.isaLength)
        self.capacity = max(chunkBytes, 256)
        buffer = .allocate(capacity: capacity)
        starts = .allocate(capacity: elementCapacity)
        ends = .allocate(capacity: elementCapacity)
    }

    deinit {
        buffer.deallocate()
        starts.deallocate()
        ends.deallocate()
        oversized.deallocate()
    }

    /// Bytes consumed from the file so far, for progress.
    public var bytesConsumed: Int64 { source.bytesConsumed }

    /// The current segment's elements, valid until `next()`.
    public var segment: Segment {
        Segment(base: UnsafePointer(isOversized ? oversized : buffer + segmentStart), starts: UnsafePointer(starts),
                ends: UnsafePointer(ends), count: elementCount, separators: separators!)
    }

    /// The current segment's bytes as they stand in the file, with its terminator (for an
    /// oversized segment: its first KiB).
    public var rawSegment: UnsafeBufferPointer<UInt8> {
        if isOversized { return UnsafeBufferPointer(start: oversized, count: oversizedCount) }
        return UnsafeBufferPointer(start: buffer + segmentStart, count: segmentEnd - segmentStart)
    }

    /// Advances to the next segment; false at the end of the file.
    ///
    /// - Throws: `X12Error` when the file does not start with an ISA or an ISA is malformed;
    ///   `ReadError` when the file cannot be read.
    public func next() throws -> Bool {
        isOversized = false
        hasNUL = false
        // Skip what may stand between segments.
        while true {
            if position >= dataEnd {
                if eof { return false }
                try refill(keepingFrom: position)
                continue
            }
            let c = buffer[position]
            if atFileStart {
                if position + 3 > dataEnd && !eof { try refill(keepingFrom: position); continue }
                atFileStart = false
                if position + 3 <= dataEnd && c == 0xEF && buffer[position + 1] == 0xBB && buffer[position + 2] == 0xBF {
                    position += 3
                    continue
                }
            }
            if c == 10 || c == 13 || c == 32 || c == 9 || c == 0 { position += 1; continue }
            break
        }
        segmentNumber += 1
        if try startsWithISA() { return try readISA() }
        guard let separators else {
            if try looksLikeUTF16() { throw X12Error.utf16 }
            throw X12Error.noInterchangeHeader
        }
        try readSegment(separators)
        return true
    }

    private func startsWithISA() throws -> Bool {
        if position + 3 > dataEnd && !eof { try refill(keepingFrom: position) }
        return position + 3 <= dataEnd && buffer[position] == 73 && buffer[position + 1] == 83 && buffer[position + 2] == 65
    }

    private func looksLikeUTF16() throws -> Bool {
        if position + 6 > dataEnd && !eof { try refill(keepingFrom: position) }
        let n = dataEnd - position
        if n >= 2 && ((buffer[position] == 0xFF && buffer[position + 1] == 0xFE) || (buffer[position] == 0xFE && buffer[position + 1] == 0xFF)) {
            return true
        }
        return n >= 6 && buffer[position] == 73 && buffer[position + 1] == 0 && buffer[position + 2] == 83 && buffer[position + 3] == 0
    }

    private func readISA() throws -> Bool {
        while position + Separators.isaLength > dataEnd && !eof { try refill(keepingFrom: position) }
        guard position + Separators.isaLength <= dataEnd else {
            throw X12Error.malformedISA(segment: segmentNumber, reason: "the file ends before the ISA's 106 characters")
        }
        let bytes = UnsafeBufferPointer(start: buffer + position, count: Separators.isaLength)
        let read = try Separators.read(isa: bytes, segment: segmentNumber)
        separators = read
        segmentStart = position
        segmentEnd = position + Separators.isaLength
        position = segmentEnd
        // Elements: the id, ISA01...ISA15 between the fixed separators, ISA16.
        var start = 0
        elementCount = 0
        for offset in Separators.isaSeparatorOffsets {
            appendElement(start, offset)
            start = offset + 1
        }
        appendElement(104, 105)
        return true
    }

    private func appendElement(_ start: Int, _ end: Int) {
        if elementCount == elementCapacity {
            elementCapacity *= 2
            starts = Self.grow(starts, count: elementCount, to: elementCapacity)
            ends = Self.grow(ends, count: elementCount, to: elementCapacity)
        }
        starts[elementCount] = start
        ends[elementCount] = end
        elementCount += 1
    }

    /// Reads up to the segment terminator (or the end of the file), noting element bounds.
    /// Resumable across refills: bounds are relative to the segment's start.
    private func readSegment(_ separators: Separators) throws {
        let element = separators.element, terminator = separators.segment
        segmentStart = position
        elementCount = 0
        var elementStart = 0
        var scanned = 0
        var nul = false
        while true {
            let base = buffer + segmentStart
            let available = dataEnd - segmentStart
            var i = scanned
            while i < available {
                let c = base[i]
                if c == terminator { break }
                if c == element {
                    appendElement(elementStart, i)
                    elementStart = i + 1
                } else if c == 0 { nul = true }
                i += 1
            }
            if i < available && i >= maxSegmentBytes {
                keepOversized(count: i)
                position = segmentStart + i + 1
                return
            }
            if i < available {
                // Found the terminator at i.
                var contentEnd = i
                if terminator == 10 && contentEnd > elementStart && base[contentEnd - 1] == 13 { contentEnd -= 1 }
                appendElement(elementStart, contentEnd)
                segmentEnd = segmentStart + i + 1
                position = segmentEnd
                hasNUL = nul
                return
            }
            scanned = i
            if eof {
                // The last segment of the file, without a terminator: trailing white space and NULs are not part of it.
                var contentEnd = available
                while contentEnd > elementStart, [0, 9, 10, 13, 32].contains(base[contentEnd - 1]) { contentEnd -= 1 }
                appendElement(elementStart, contentEnd)
                segmentEnd = dataEnd
                position = dataEnd
                hasNUL = nul
                return
            }
            if available >= maxSegmentBytes {
                try skipOversized(terminator: terminator)
                return
            }
            try refill(keepingFrom: segmentStart)
        }
    }

    /// Consumes the rest of a segment longer than the limit, keeping its first KiB; its only
    /// element is then its id.
    private func skipOversized(terminator: UInt8) throws {
        keepOversized(count: dataEnd - segmentStart)
        var p = segmentStart
        while true {
            if p >= dataEnd {
                if eof { break }
                dataEnd = 0
                p = 0
                try readMore()
                continue
            }
            if buffer[p] == terminator { p += 1; break }
            p += 1
        }
        position = p
    }

    /// Keeps the first KiB of the segment at `segmentStart` (of `count` bytes) as an oversized
    /// segment whose only element is its id.
    private func keepOversized(count: Int) {
        oversizedCount = min(1024, count)
        oversized.update(from: buffer + segmentStart, count: oversizedCount)
        var idEnd = 0
        while idEnd < min(3, oversizedCount), oversized[idEnd] != separators!.element { idEnd += 1 }
        isOversized = true
        elementCount = 0
        appendElement(0, idEnd)
    }

    // MARK: Buffer

    private func refill(keepingFrom keep: Int) throws {
        if keep > 0 {
            let count = dataEnd - keep
            if count > 0 { buffer.update(from: buffer + keep, count: count) }
            dataEnd = count
            position -= keep
            segmentStart = max(0, segmentStart - keep)
        }
        if dataEnd == capacity {
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            grown.update(from: buffer, count: dataEnd)
            buffer.deallocate()
            buffer = grown
            capacity *= 2
        }
        try readMore()
    }

    private func readMore() throws {
        let n = try source.read(into: UnsafeMutableRawBufferPointer(start: buffer + dataEnd, count: capacity - dataEnd))
        if n == 0 { eof = true } else { dataEnd += n }
    }

    private static func grow<T>(_ old: UnsafeMutablePointer<T>, count: Int, to capacity: Int) -> UnsafeMutablePointer<T> {
        let new = UnsafeMutablePointer<T>.allocate(capacity: capacity)
        new.moveInitialize(from: old, count: count)
        old.deallocate()
        return new
    }
}
