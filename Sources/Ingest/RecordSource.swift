import DelimitedText

/// Where a loader's records come from: a delimited text file (`CSVReader`) or an X12 837 file
/// (`X12ClaimReader`, through `X12RecordSource`).
///
/// One call per record (`next`, `record`, `lineNumber`); field access goes through the concrete
/// `Record` view of plain pointers, so the hot path costs the same as reading the CSV reader
/// directly.
protocol RecordSource: AnyObject {
    /// Advances to the next record; false at the end of the file.
    func next() throws -> Bool
    /// The current record's fields (valid until `next()`).
    var record: Record { get }
    /// Number of fields of the current record.
    var fieldCount: Int { get }
    /// Where the current record stands in the file: its physical line (CSV) or segment number (X12).
    var lineNumber: Int { get }
    /// The record's text as it stands in the file, for the rejects file.
    var rawRecord: [UInt8] { get }
    /// A problem that rejects the record before any field is checked.
    var recordProblem: RowProblem? { get }
    /// Bytes consumed from the file so far, for progress.
    var bytesConsumed: Int64 { get }
}

extension RecordSource {
    /// The bytes of field `index` (unquoted, unescaped), valid until `next()`.
    @inline(__always)
    func field(_ index: Int) -> UnsafeBufferPointer<UInt8> { record.field(index) }
}

extension CSVReader: RecordSource {
    var recordProblem: RowProblem? {
        issue.map { RowProblem(column: "", kind: .malformedRow, message: $0.message) }
    }
}
