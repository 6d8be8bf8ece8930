import DelimitedText
import X12

/// An X12 837 file as claim records: each service line one record in `MedicalClaimRow.columns`
/// order; a claim the X12 reader cannot turn into rows presents each of its lines with the
/// claim's defect, which rejects it at the claim's CLM segment.
final class X12RecordSource: RecordSource {
    let reader: X12ClaimReader

    init(source: any ByteSource) {
        reader = X12ClaimReader(source: source)
    }

    func next() throws -> Bool { try reader.next() }
    var record: Record { reader.record }
    var fieldCount: Int { reader.fieldCount }
    var lineNumber: Int { reader.lineNumber }
    var rawRecord: [UInt8] { reader.rawRecord }
    var bytesConsumed: Int64 { reader.bytesConsumed }

    var recordProblem: RowProblem? {
        guard let defect = reader.defect else { return nil }
        return RowProblem(column: defect.column, kind: Self.kind(defect.kind), message: defect.message)
    }

    static func kind(_ kind: ClaimDefect.Kind) -> RejectKind {
        switch kind {
        case .emptyRequired: .emptyRequired
        case .badDate: .badDate
        case .badInteger: .badInteger
        case .badValue: .badValue
        case .malformed: .malformedRow
        }
    }
}

/// How an extract file is written, judged by its first bytes (never by its name).
enum ExtractFormat: Equatable {
    /// Delimited text with a header line (Tuva columns).
    case delimited
    /// An X12 interchange (837P/837I claims).
    case x12

    /// Reads the first KiB (decompressed, for gzip) and decides. A file that cannot be read is
    /// judged delimited: the delimited reader then reports why, as it always has.
    static func detect(path: String) -> ExtractFormat {
        (try? detectOrThrow(path: path)) ?? .delimited
    }

    private static func detectOrThrow(path: String) throws -> ExtractFormat {
        let opened = try ExtractFile.open(path)
        var source = opened.source
        var prefix = [UInt8](repeating: 0, count: 1024)
        var filled = 0
        while filled < prefix.count {
            let n = try prefix.withUnsafeMutableBytes {
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...]))
            }
            if n == 0 { break }
            filled += n
        }
        return X12Detection.isX12(prefix: Array(prefix[..<filled])) ? .x12 : .delimited
    }
}
