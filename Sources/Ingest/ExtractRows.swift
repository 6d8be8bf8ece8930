import DelimitedText
import X12

/// Reads a small claims file (claims to check, a request body) into named rows — delimited text
/// with a header line, or X12 837, judged by content. Every row is in memory, so this is for a
/// few claims, not for monthly extracts (`ExtractLoader` streams those).
public enum ExtractRows {
    /// The largest input read whole (64 MiB).
    public static let maxBytes = 64 << 20

    /// The rows of `bytes`; `line` is a record's physical line (CSV) or segment number (X12).
    /// A record that cannot become a row is a row with a `defect`.
    ///
    /// - Throws: `IngestError` when the header or the X12 envelope cannot be read.
    public static func read(bytes: [UInt8], path: String) throws -> [ExtractRow] {
        do {
            if X12Detection.isX12(prefix: Array(bytes.prefix(1024))) { return try x12Rows(MemorySource(bytes)) }
            return try delimitedRows(MemorySource(bytes), path: path)
        } catch let error as X12Error {
            throw IngestError.badX12(path: path, reason: error.description)
        } catch let error as ReadError {
            throw IngestError.unreadable(path: path, reason: error.reason)
        }
    }

    /// The rows of a file (plain or gzip, at most `maxBytes` once decompressed).
    public static func read(path: String) throws -> [ExtractRow] {
        var bytes: [UInt8] = []
        do {
            var source = try ExtractFile.open(path).source
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
                if n == 0 { break }
                bytes += chunk[..<n]
                guard bytes.count <= maxBytes else {
                    throw IngestError.unreadable(path: path, reason: "larger than \(maxBytes >> 20) MiB; check claims in smaller files, or load it")
                }
            }
        } catch let error as ReadError {
            throw IngestError.unreadable(path: path, reason: error.reason)
        }
        return try read(bytes: bytes, path: path)
    }

    private static func delimitedRows(_ source: any ByteSource, path: String) throws -> [ExtractRow] {
        let reader = CSVReader(source: source)
        let header: [String]
        do {
            header = try reader.readHeader().map { $0.lowercased() }
        } catch let error as CSVHeaderError {
            throw IngestError.notText(path: path, reason: error.message)
        }
        guard !header.isEmpty else { throw IngestError.emptyFile(path: path) }
        // The loader's file rule: a column named twice fails the file (positions, not names).
        var seen = Set<String>(), duplicates: [Int] = []
        for (position, name) in header.enumerated() where !name.isEmpty && !seen.insert(name).inserted { duplicates.append(position + 1) }
        if !duplicates.isEmpty { throw IngestError.duplicateColumns(path: path, positions: duplicates) }
        var rows: [ExtractRow] = []
        while try reader.next() {
            rows.append(row(reader, header: header))
        }
        return rows
    }

    /// The current record as a row, or as a row with the defect a load would reject it for
    /// (bad quoting, a NUL, a ragged row, a field that is not UTF-8).
    private static func row(_ reader: CSVReader, header: [String]) -> ExtractRow {
        let line = reader.lineNumber
        if let issue = reader.issue { return ExtractRow(line: line, fields: [:], defect: RowDefect(message: issue.message)) }
        guard reader.fieldCount == header.count else {
            return ExtractRow(line: line, fields: [:], defect: RowDefect(message: "expected \(header.count) fields, found \(reader.fieldCount)"))
        }
        var fields: [String: String] = [:]
        for (index, name) in header.enumerated() where !name.isEmpty {
            guard let text = String(validating: reader.field(index), as: UTF8.self) else {
                return ExtractRow(line: line, fields: [:], defect: RowDefect(field: name, kind: .badValue, message: "\(name) is not valid UTF-8 text"))
            }
            fields[name] = text
        }
        return ExtractRow(line: line, fields: fields)
    }

    private static func x12Rows(_ source: any ByteSource) throws -> [ExtractRow] {
        let reader = X12ClaimReader(source: source)
        var rows: [ExtractRow] = []
        while try reader.next() {
            if let defect = reader.defect {
                rows.append(ExtractRow(line: reader.lineNumber, fields: [:], defect: RowDefect(
                    field: defect.column, kind: X12RecordSource.kind(defect.kind), message: defect.message)))
                continue
            }
            var fields: [String: String] = [:]
            for (index, name) in MedicalClaimRow.columns.enumerated() { fields[name] = reader.string(index) }
            rows.append(ExtractRow(line: reader.lineNumber, fields: fields))
        }
        return rows
    }
}
