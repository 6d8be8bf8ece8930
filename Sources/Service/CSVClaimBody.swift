import DelimitedText
import Ingest

/// Reads a `text/csv` body in the extract layout (a header naming Tuva `medical_claim` columns in
/// any order and case, then one row per claim line; comma, pipe or tab) into extract rows.
/// A row's `line` is its text line in the body (the header is line 1), as in a rejects file.
enum CSVClaimBody {
    static func rows(_ bytes: [UInt8]) throws -> [ExtractRow] {
        let reader = CSVReader(source: MemorySource(bytes), maxRecordBytes: ServiceLimits.maxBodyBytes)
        let header: [String]
        do {
            header = try reader.readHeader().map { $0.lowercased() }
        } catch let error as CSVHeaderError {
            throw ServiceError(.unprocessableContent, error.message, line: 1)
        }
        guard !header.isEmpty else { throw ServiceError(.unprocessableContent, "the body is empty (no header line)", line: 1) }
        var seen = Set<String>()
        for name in header where !name.isEmpty {
            guard seen.insert(name).inserted else {
                throw ServiceError(.unprocessableContent, "the header line names a column already named before it", field: name, line: 1)
            }
        }
        var rows: [ExtractRow] = []
        while try reader.next() {
            if let issue = reader.issue { throw ServiceError(.unprocessableContent, issue.message, line: reader.lineNumber) }
            var fields: [String: String] = [:]
            for (index, name) in header.enumerated() where !name.isEmpty && index < reader.fieldCount {
                guard let text = String(validating: reader.field(index), as: UTF8.self) else {
                    throw ServiceError(.unprocessableContent, "\(name) is not valid UTF-8 text", field: name, line: reader.lineNumber)
                }
                fields[name] = text
            }
            rows.append(ExtractRow(line: reader.lineNumber, fields: fields))
        }
        guard !rows.isEmpty else { throw ServiceError(.unprocessableContent, "the body has a header but no claim rows", line: 1) }
        return rows
    }
}
