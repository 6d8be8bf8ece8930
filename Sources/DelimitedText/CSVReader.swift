/// What is wrong with one record; the record is still delimited, so reading goes on after it.
public enum RecordIssue: Equatable, Sendable {
    /// A quoted field was still open at the end of the file.
    case unterminatedQuote
    /// Text followed a closing quote before the delimiter (`"ab"c`).
    case textAfterClosingQuote
    /// The record holds a NUL byte.
    case nulByte
    /// The record is longer than the reader's limit; its fields were not kept.
    case tooLarge(limit: Int)

    public var message: String {
        switch self {
        case .unterminatedQuote: "a quoted field is not closed before the end of the file"
        case .textAfterClosingQuote: "text follows a closing quote"
        case .nulByte: "the row contains a NUL byte"
        case .tooLarge(let limit): "the row is longer than \(limit) bytes"
        }
    }
}

/// A streaming reader of delimited text (RFC 4180): quoted fields with `""` escapes and embedded
/// line breaks, LF or CRLF line ends, a leading UTF-8 BOM skipped, empty lines skipped.
///
/// Memory is bounded by the longest record (at most `maxRecordBytes`), whatever the file's size.
/// Field bytes returned by `field(_:)` and `rawRecord` stay valid until the next call to `next()`.
///
/// ```swift
/// let reader = try CSVReader(source: MemorySource("a,b\n1,2\n"))
/// let header = try reader.readHeader()   // ["a", "b"]
/// while try reader.next() { print(reader.string(0)) }
/// ```
public final class CSVReader {
    /// The field delimiter in use (detected from the header line unless given).
    public private(set) var delimiter: UInt8
    private let delimiterGiven: Bool
    private var source: any ByteSource
    private let maxRecordBytes: Int

    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var dataEnd = 0
    private var eof = false

    private var recordStart = 0
    private var recordEnd = 0
    private var nextRecordStart = 0
    // Field positions of the current record, in manually managed storage so the hot loop and
    // `Record` work on plain pointers. `inScratch[i]` = 1: field i was unescaped into `scratch`.
    private var starts: UnsafeMutablePointer<Int>
    private var ends: UnsafeMutablePointer<Int>
    private var inScratch: UnsafeMutablePointer<UInt8>
    private var fieldCapacity = 64
    public private(set) var fieldCount = 0
    private var hasEscapes = false
    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchCapacity = 4096
    private var oversizedPrefix: [UInt8] = []

    /// The physical line (1-based) on which the current record starts.
    public private(set) var lineNumber = 0
    private var nextLineNumber = 1
    /// What is wrong with the current record, if anything.
    public private(set) var issue: RecordIssue?

    /// - Parameters:
    ///   - delimiter: `,`, `|` or tab; `nil` detects it from the header line.
    ///   - maxRecordBytes: records longer than this are reported as `.tooLarge` and skipped.
    public init(source: any ByteSource, delimiter: UInt8? = nil, maxRecordBytes: Int = 64 << 20, chunkBytes: Int = 1 << 20) {
        self.source = source
        self.delimiter = delimiter ?? UInt8(ascii: ",")
        self.delimiterGiven = delimiter != nil
        self.maxRecordBytes = maxRecordBytes
        self.capacity = max(chunkBytes, 64)
        self.buffer = .allocate(capacity: capacity)
        self.starts = .allocate(capacity: fieldCapacity)
        self.ends = .allocate(capacity: fieldCapacity)
        self.inScratch = .allocate(capacity: fieldCapacity)
        self.scratch = .allocate(capacity: scratchCapacity)
    }

    deinit {
        buffer.deallocate()
        starts.deallocate()
        ends.deallocate()
        inScratch.deallocate()
        scratch.deallocate()
    }

    /// Bytes consumed from the file so far, for progress.
    public var bytesConsumed: Int64 { source.bytesConsumed }

    // MARK: Header

    /// Reads the header record, detecting the delimiter first when none was given.
    ///
    /// - Returns: the column names, trimmed, or `[]` for an empty file.
    /// - Throws: `CSVHeaderError` when the first line is not text.
    public func readHeader() throws -> [String] {
        try fill()
        if dataEnd >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF {
            nextRecordStart = 3
        }
        if !delimiterGiven { delimiter = detectDelimiter(from: nextRecordStart) }
        guard try next() else { return [] }
        if let issue { throw CSVHeaderError(message: "the header line is not readable: \(issue.message)") }
        var names: [String] = []
        for index in 0..<fieldCount {
            let bytes = field(index)
            guard let name = String(validating: bytes, as: UTF8.self) else {
                throw CSVHeaderError(message: "the header line is not UTF-8 text")
            }
            names.append(name.trimmingSpaces())
        }
        return names
    }

    /// Counts `,`, `|` and tab outside quotes on the first line and picks the most frequent (comma on ties).
    private func detectDelimiter(from start: Int) -> UInt8 {
        var counts: [UInt8: Int] = [UInt8(ascii: ","): 0, UInt8(ascii: "|"): 0, UInt8(ascii: "\t"): 0]
        var inQuotes = false
        var p = start
        while p < dataEnd {
            let c = buffer[p]
            if c == UInt8(ascii: "\"") { inQuotes.toggle() }
            else if !inQuotes && (c == 10 || c == 13) { break }
            else if !inQuotes, counts[c] != nil { counts[c]! += 1 }
            p += 1
        }
        let comma = counts[UInt8(ascii: ",")]!, pipe = counts[UInt8(ascii: "|")]!, tab = counts[UInt8(ascii: "\t")]!
        if pipe > comma && pipe >= tab { return UInt8(ascii: "|") }
        if tab > comma && tab > pipe { return UInt8(ascii: "\t") }
        return UInt8(ascii: ",")
    }

    // MARK: Records

    /// Advances to the next non-empty record; `false` at the end of the file.
    public func next() throws -> Bool {
        while true {
            recordStart = nextRecordStart
            lineNumber = nextLineNumber
            issue = nil
            // Skip empty lines.
            while true {
                if recordStart >= dataEnd {
                    if eof { return false }
                    try refill()
                    continue
                }
                let c = buffer[recordStart]
                if c == 10 {
                    recordStart += 1; lineNumber += 1
                } else if c == 13 {
                    if recordStart + 1 >= dataEnd && !eof { try refill(); continue }
                    recordStart += (recordStart + 1 < dataEnd && buffer[recordStart + 1] == 10) ? 2 : 1
                    lineNumber += 1
                } else {
                    break
                }
            }
            nextRecordStart = recordStart
            nextLineNumber = lineNumber
            switch parseRecord() {
            case .complete(let end, let next, let lines):
                recordEnd = end
                nextRecordStart = next
                nextLineNumber = lineNumber + lines
                if end - recordStart > maxRecordBytes {
                    oversizedPrefix = Array(UnsafeBufferPointer(start: buffer + recordStart, count: min(1024, end - recordStart)))
                    fieldCount = 0
                    hasEscapes = false
                    issue = .tooLarge(limit: maxRecordBytes)
                    return true
                }
                if hasEscapes { unescapeFields() }
                return true
            case .needMore:
                if dataEnd - recordStart >= maxRecordBytes {
                    try skipOversizedRecord()
                    return true
                }
                try refill()
            }
        }
    }

    private enum ParseResult {
        case complete(end: Int, next: Int, lines: Int)
        case needMore
    }

    /// Parses the record at `recordStart` from the buffered bytes. The loop works on locals only
    /// (no class property access per byte).
    private func parseRecord() -> ParseResult {
        let buffer = self.buffer
        let delimiter = self.delimiter
        let end = dataEnd
        let eof = self.eof
        var starts = self.starts, ends = self.ends, inScratch = self.inScratch
        var capacity = fieldCapacity
        var count = 0
        var escapes = false
        var p = recordStart
        var embeddedLines = 0
        var hasNUL = false
        var afterQuoteText = false
        var unterminated = false
        defer {
            self.starts = starts
            self.ends = ends
            self.inScratch = inScratch
            self.fieldCapacity = capacity
        }
        @inline(__always) func append(_ start: Int, _ stop: Int, _ escaped: Bool) {
            if count == capacity {
                capacity *= 2
                starts = Self.grow(starts, count: count, to: capacity)
                ends = Self.grow(ends, count: count, to: capacity)
                inScratch = Self.grow(inScratch, count: count, to: capacity)
            }
            starts[count] = start
            ends[count] = stop
            inScratch[count] = escaped ? 1 : 0
            count += 1
        }
        while true {
            if p < end && buffer[p] == UInt8(ascii: "\"") {
                p += 1
                let contentStart = p
                var escaped = false
                var contentEnd = -1
                while contentEnd < 0 {
                    if p >= end {
                        if !eof { return .needMore }
                        unterminated = true
                        contentEnd = end
                        break
                    }
                    let c = buffer[p]
                    if c == UInt8(ascii: "\"") {
                        if p + 1 >= end && !eof { return .needMore }
                        if p + 1 < end && buffer[p + 1] == UInt8(ascii: "\"") {
                            escaped = true
                            p += 2
                        } else {
                            contentEnd = p
                            p += 1
                        }
                    } else {
                        if c == 10 { embeddedLines += 1 } else if c == 0 { hasNUL = true }
                        p += 1
                    }
                }
                // Anything between the closing quote and the delimiter is an error.
                while p < end {
                    let c = buffer[p]
                    if c == delimiter || c == 10 || c == 13 { break }
                    afterQuoteText = true
                    if c == 0 { hasNUL = true }
                    p += 1
                }
                if p >= end && !eof { return .needMore }
                append(contentStart, contentEnd, escaped)
                escapes = escapes || escaped
            } else {
                let start = p
                while p < end {
                    let c = buffer[p]
                    if c == delimiter || c == 10 || c == 13 { break }
                    if c == 0 { hasNUL = true }
                    p += 1
                }
                if p >= end && !eof { return .needMore }
                append(start, p, false)
            }
            if p >= end {
                finishRecord(count: count, escapes: escapes, unterminated: unterminated, afterQuote: afterQuoteText, nul: hasNUL)
                return .complete(end: p, next: p, lines: embeddedLines + 1)
            }
            let c = buffer[p]
            if c == delimiter { p += 1; continue }
            let recordEnd = p
            if c == 13 {
                if p + 1 >= end && !eof { return .needMore }
                p += (p + 1 < end && buffer[p + 1] == 10) ? 2 : 1
            } else {
                p += 1
            }
            finishRecord(count: count, escapes: escapes, unterminated: unterminated, afterQuote: afterQuoteText, nul: hasNUL)
            return .complete(end: recordEnd, next: p, lines: embeddedLines + 1)
        }
    }

    private static func grow<T>(_ old: UnsafeMutablePointer<T>, count: Int, to capacity: Int) -> UnsafeMutablePointer<T> {
        let new = UnsafeMutablePointer<T>.allocate(capacity: capacity)
        new.moveInitialize(from: old, count: count)
        old.deallocate()
        return new
    }

    private func finishRecord(count: Int, escapes: Bool, unterminated: Bool, afterQuote: Bool, nul: Bool) {
        fieldCount = count
        hasEscapes = escapes
        if unterminated { issue = .unterminatedQuote }
        else if afterQuote { issue = .textAfterClosingQuote }
        else if nul { issue = .nulByte }
    }

    /// Replaces `""` by `"` in the quoted fields that need it, into the scratch buffer; their
    /// positions then point into the scratch buffer.
    private func unescapeFields() {
        let needed = recordEnd - recordStart
        if scratchCapacity < needed {
            scratch.deallocate()
            scratchCapacity = max(needed, 4096)
            scratch = .allocate(capacity: scratchCapacity)
        }
        var out = 0
        for index in 0..<fieldCount where inScratch[index] == 1 {
            var p = starts[index]
            let end = ends[index]
            starts[index] = out
            while p < end {
                let c = buffer[p]
                scratch[out] = c
                out += 1
                p += (c == UInt8(ascii: "\"") && p + 1 < end && buffer[p + 1] == UInt8(ascii: "\"")) ? 2 : 1
            }
            ends[index] = out
        }
    }

    /// Consumes a record longer than the limit without keeping it. Quotes delimit it as the parser
    /// reads them: a quote opens a field only at the field's start; `""` inside quotes is a quote.
    private func skipOversizedRecord() throws {
        oversizedPrefix = Array(UnsafeBufferPointer(start: buffer + recordStart, count: min(1024, dataEnd - recordStart)))
        var inQuotes = false
        var quoteSeen = false      // inside quotes, the previous byte was a quote
        var atFieldStart = true
        var lines = 1
        var p = recordStart
        scan: while true {
            if p >= dataEnd {
                dataEnd = 0
                recordStart = 0
                p = 0
                if eof { break }
                try readMore()
                if dataEnd == 0 { break }
                continue
            }
            let c = buffer[p]
            p += 1
            if inQuotes {
                if quoteSeen {
                    quoteSeen = false
                    if c == UInt8(ascii: "\"") { continue }   // an escaped quote
                    inQuotes = false                           // the quote closed the field; read c as unquoted
                } else {
                    if c == UInt8(ascii: "\"") { quoteSeen = true } else if c == 10 { lines += 1 }
                    continue
                }
            }
            if c == UInt8(ascii: "\"") && atFieldStart {
                inQuotes = true
                atFieldStart = false
            } else if c == delimiter {
                atFieldStart = true
            } else if c == 10 {
                break scan
            } else {
                atFieldStart = false
            }
        }
        fieldCount = 0
        hasEscapes = false
        issue = .tooLarge(limit: maxRecordBytes)
        recordStart = p
        recordEnd = p
        nextRecordStart = p
        nextLineNumber = lineNumber + lines
    }

    // MARK: Fields

    /// The current record's fields, as a view of plain pointers (valid until `next()`).
    public var record: Record {
        Record(buffer: UnsafePointer(buffer), scratch: UnsafePointer(scratch), starts: UnsafePointer(starts),
               ends: UnsafePointer(ends), inScratch: UnsafePointer(inScratch), count: fieldCount)
    }

    /// The bytes of field `index` (unquoted, unescaped), valid until `next()`.
    public func field(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        record.field(index)
    }

    /// Field `index` as a string (invalid UTF-8 repaired); for cold paths.
    public func string(_ index: Int) -> String {
        String(decoding: field(index), as: UTF8.self)
    }

    /// The current record's bytes as they stand in the file, without the line end
    /// (for an oversized record: its first KiB).
    public var rawRecord: [UInt8] {
        if case .tooLarge = issue { return oversizedPrefix }
        return Array(UnsafeBufferPointer(start: buffer + recordStart, count: recordEnd - recordStart))
    }

    // MARK: Buffer

    /// Reads until the first line end is buffered (the header: BOM and delimiter detection need it
    /// whole, whatever sizes the source's reads return), the buffer is full, or the file ends.
    /// In reads of at most 64 KiB: the records after the header are read with the rest, possibly
    /// on another thread (a loader maps the header on its own thread, then hands the reader over).
    private func fill() throws {
        var scanned = 0
        while dataEnd < capacity && !eof {
            try readMore(atMost: 64 << 10)
            while scanned < dataEnd {
                if buffer[scanned] == 10 || buffer[scanned] == 13 { return }
                scanned += 1
            }
        }
    }

    /// Keeps the unfinished record, grows the buffer if it is full, and reads more bytes.
    private func refill() throws {
        if recordStart > 0 {
            let keep = dataEnd - recordStart
            if keep > 0 { buffer.update(from: buffer + recordStart, count: keep) }
            dataEnd = keep
            nextRecordStart -= recordStart
            recordStart = 0
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

    private func readMore(atMost limit: Int = .max) throws {
        let count = min(capacity - dataEnd, limit)
        let n = try source.read(into: UnsafeMutableRawBufferPointer(start: buffer + dataEnd, count: count))
        if n == 0 { eof = true } else { dataEnd += n }
    }
}

/// The header line cannot be read as text.
public struct CSVHeaderError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    public func trimmingSpaces() -> String {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" { view.removeFirst() }
        while let last = view.last, last == " " || last == "\t" { view.removeLast() }
        return String(view)
    }
}

/// The fields of one record: pointers into the reader's buffers, valid until the reader moves on.
public struct Record {
    fileprivate let buffer: UnsafePointer<UInt8>
    fileprivate let scratch: UnsafePointer<UInt8>
    fileprivate let starts: UnsafePointer<Int>
    fileprivate let ends: UnsafePointer<Int>
    fileprivate let inScratch: UnsafePointer<UInt8>
    /// Number of fields.
    public let count: Int

    /// A view of fields laid out by another reader: field `i` is `starts[i]..<ends[i]` of `scratch`
    /// when `inScratch[i]` is 1, else of `buffer`. The pointers must outlive the view's use.
    public init(buffer: UnsafePointer<UInt8>, scratch: UnsafePointer<UInt8>, starts: UnsafePointer<Int>,
                ends: UnsafePointer<Int>, inScratch: UnsafePointer<UInt8>, count: Int) {
        self.buffer = buffer
        self.scratch = scratch
        self.starts = starts
        self.ends = ends
        self.inScratch = inScratch
        self.count = count
    }

    /// The bytes of field `index` (unquoted, unescaped).
    @inline(__always)
    public func field(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        let base = inScratch[index] == 1 ? scratch : buffer
        return UnsafeBufferPointer(start: base + starts[index], count: ends[index] - starts[index])
    }
}
