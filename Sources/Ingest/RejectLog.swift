import DelimitedText
import Foundation

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
        do {
            try write(line: line, column: column, kind: kind, message: message, raw: raw)
        } catch let error as ReadError {
            throw IngestError.cannotWriteRejects(path: path, reason: error.reason)
        }
    }

    private func write(line: Int, column: String, kind: RejectKind, message: String, raw: [UInt8]) throws {
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
        do {
            try writer.file.commit()
        } catch let error as ReadError {
            throw IngestError.cannotWriteRejects(path: path, reason: error.reason)
        }
        return path
    }

    /// Removes temporary rejects files of this name left by killed loads (they hold raw rows).
    /// Called under the database's write lock, so no other load is writing one.
    func removeStaleTemporaryFiles() {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let prefix = url.lastPathComponent + ".partial-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(prefix) {
            try? FileManager.default.removeItem(atPath: directory + "/" + name)
        }
    }

    func discard() { writer?.file.discard() }
}
