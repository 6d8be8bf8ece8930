import DelimitedText

/// Reads a small extract-layout file (a claim to check, a request body) into named rows: every
/// row in memory, so this is for files of a few claims, not for monthly extracts (`ExtractLoader`).
public enum ExtractRows {
    /// The rows of a delimited text source with a header line; `line` is each record's physical line.
    ///
    /// A malformed record becomes a row with `malformed` set (checking it reports the problem).
    ///
    /// - Throws: `IngestError` when the header cannot be read.
    public static func read(_ source: any ByteSource, path: String) throws -> [ExtractRow] {
        let reader = CSVReader(source: source)
        let header: [String]
        do {
            header = try reader.readHeader().map { $0.lowercased() }
        } catch let error as CSVHeaderError {
            throw IngestError.notText(path: path, reason: error.message)
        }
        guard !header.isEmpty else { throw IngestError.emptyFile(path: path) }
        var rows: [ExtractRow] = []
        while try reader.next() {
            if let issue = reader.issue {
                rows.append(ExtractRow(line: reader.lineNumber, fields: [:], malformed: issue.message))
                continue
            }
            guard reader.fieldCount == header.count else {
                rows.append(ExtractRow(line: reader.lineNumber, fields: [:],
                                       malformed: "expected \(header.count) fields, found \(reader.fieldCount)"))
                continue
            }
            var fields: [String: String] = [:]
            for (index, name) in header.enumerated() where !name.isEmpty { fields[name] = reader.string(index) }
            rows.append(ExtractRow(line: reader.lineNumber, fields: fields))
        }
        return rows
    }

    /// The rows of a file (plain or gzip).
    public static func read(path: String) throws -> [ExtractRow] {
        do {
            return try read(ExtractFile.open(path).source, path: path)
        } catch let error as ReadError {
            throw IngestError.unreadable(path: path, reason: error.reason)
        }
    }
}
