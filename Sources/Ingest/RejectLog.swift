import DelimitedText

/// The rejects file of one load: `source_file,line_number,column,error_kind,message,raw_line`.
///
/// Created (owner-only) at the first reject under a temporary name and moved into place only when
/// the load commits, so a failed or killed load leaves no rejects file behind.
final class RejectLog {
    let path: String
    private let sourceFile: String
    private var writer: CSVWriter?
    private(set) var count = 0
    private(set) var byKind: [String: Int] = [:]

    init(path: String, sourceFile: String) {
        self.path = path
        self.sourceFile = sourceFile
    }

    func add(line: Int, column: String, kind: RejectKind, message: String, raw: [UInt8]) throws {
        if writer == nil {
            let file = try OutputFile(path: path)
            writer = CSVWriter(file: file)
            try writer!.writeRow(["source_file", "line_number", "column", "error_kind", "message", "raw_line"])
        }
        try writer!.writeRow([sourceFile, String(line), column, kind.rawValue, message], rawLast: raw)
        count += 1
        byKind[kind.rawValue, default: 0] += 1
    }

    /// Moves the file into place; returns its path, or nil when nothing was rejected.
    func commit() throws -> String? {
        guard let writer else { return nil }
        try writer.file.commit()
        return path
    }

    func discard() { writer?.file.discard() }
}
