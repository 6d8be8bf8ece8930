import DelimitedText

/// Reads the claims of an X12 837P/837I file as Tuva `medical_claim` records, one per service
/// line, in the column order of `MedicalClaimRow.columns` — the same `Record` view the CSV reader
/// gives, so a loader checks both alike.
///
/// Streaming: memory is bounded by the largest claim (`maxClaimBytes`) and segment
/// (`maxSegmentBytes`), whatever the file's size. A claim that cannot become valid rows has a
/// `defect`: each of its service lines is then presented once, empty, with the defect, at the
/// claim's CLM segment (`lineNumber`) with the CLM segment as `rawRecord`; a claim without
/// service lines is presented as one such record.
///
/// ```swift
/// let reader = X12ClaimReader(source: try FileSource(path: "claims.837"))
/// while try reader.next() {
///     if let defect = reader.defect { print(reader.lineNumber, defect.message); continue }
///     print(reader.string(0))   // claim_id
/// }
/// ```
public final class X12ClaimReader {
    private let segments: SegmentReader
    private var envelope = Envelope()
    private let assembler: ClaimAssembler
    private let row = RowBuffer()
    private var claim: ClaimBuffer?
    private var nextLine = 0
    private var rowsInClaim = 0
    private var finished = false

    /// The segment number of the current record: its LX, or the claim's CLM for a defective claim.
    public private(set) var lineNumber = 0
    /// Why the current record's claim is rejected whole (nil for a good row).
    public private(set) var defect: ClaimDefect?
    /// The number of 837 transaction sets read so far.
    public private(set) var transactionSets = 0

    public init(source: any ByteSource, maxSegmentBytes: Int = 64 << 20, maxClaimBytes: Int = 64 << 20, chunkBytes: Int = 1 << 20) {
        segments = SegmentReader(source: source, maxSegmentBytes: maxSegmentBytes, chunkBytes: chunkBytes)
        assembler = ClaimAssembler(maxClaimBytes: maxClaimBytes)
    }

    /// Bytes consumed from the file so far, for progress.
    public var bytesConsumed: Int64 { segments.bytesConsumed }
    /// Envelope trailer counts and control numbers that disagree, and skipped non-837 sets, in file order.
    public var warnings: [String] { envelope.warnings }
    /// Always the number of `MedicalClaimRow.columns`.
    public var fieldCount: Int { row.count }
    /// The current record's fields, valid until `next()`.
    public var record: Record { row.record }

    public func field(_ index: Int) -> UnsafeBufferPointer<UInt8> { row.record.field(index) }
    public func string(_ index: Int) -> String { String(decoding: field(index), as: UTF8.self) }

    /// The current record's source text: the service line's segments (LX to the next line or the
    /// claim's end), or the CLM segment for a defective claim.
    public var rawRecord: [UInt8] {
        guard let claim else { return [] }
        if defect != nil { return Array(claim.bytes(claim.raw)) }
        return Array(claim.bytes(claim.lines[nextLine - 1].raw))
    }

    /// Advances to the next record; false at the end of the file.
    ///
    /// - Throws: `X12Error` when the envelope cannot be read; `ReadError` when the file cannot.
    public func next() throws -> Bool {
        while true {
            if let claim, nextLine < rowsInClaim {
                if let defect = claim.defect {
                    self.defect = defect
                    lineNumber = claim.segmentNumber
                    row.clear()
                } else {
                    defect = nil
                    lineNumber = claim.lines[nextLine].segmentNumber
                    row.fill(from: claim, line: nextLine)
                }
                nextLine += 1
                return true
            }
            claim = nil
            guard try readClaim() else { return false }
            let completed = assembler.completed
            claim = completed
            nextLine = 0
            rowsInClaim = completed.defect == nil ? completed.lines.count : max(completed.lines.count, 1)
        }
    }

    /// Reads segments until a claim completes; false at the end of the file.
    private func readClaim() throws -> Bool {
        guard !finished else { return false }
        while try segments.next() {
            let segment = segments.segment
            let number = segments.segmentNumber
            switch try envelope.accept(segment, number: number) {
            case .envelope, .skipped:
                continue
            case .transactionStart(let kind):
                transactionSets += 1
                assembler.startTransaction(kind)
            case .transactionEnd:
                if assembler.endTransaction() { return true }
            case .body:
                if assembler.process(segment, number: number, raw: segments.rawSegment,
                                     oversized: segments.isOversized, hasNUL: segments.hasNUL) {
                    return true
                }
            }
        }
        finished = true
        if envelope.interchanges == 0 { throw X12Error.noInterchangeHeader }
        try envelope.finish()
        return false
    }
}

/// Whether a file's first bytes are an X12 interchange: `ISA` after an optional UTF-8 BOM and
/// white space (or UTF-16 text that reads `ISA`, which the reader then refuses with a clear error).
public enum X12Detection {
    public static func isX12(prefix bytes: [UInt8]) -> Bool {
        var i = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF] as [UInt8]) { i = 3 }
        while i < bytes.count && (bytes[i] == 9 || bytes[i] == 10 || bytes[i] == 13 || bytes[i] == 32) { i += 1 }
        let isa: [UInt8] = [73, 83, 65]
        if bytes[i...].starts(with: isa) { return true }
        // UTF-16 (either byte order, with or without BOM) spelling ISA.
        let utf16: [[UInt8]] = [[0xFF, 0xFE, 73, 0, 83, 0, 65, 0], [0xFE, 0xFF, 0, 73, 0, 83, 0, 65], [73, 0, 83, 0, 65, 0], [0, 73, 0, 83, 0, 65]]
        return utf16.contains { bytes.starts(with: $0) }
    }
}
