/// Why a whole extract file could not be loaded. The database is left as it was.
public enum IngestError: Error, CustomStringConvertible, Sendable {
    case unreadable(path: String, reason: String)
    case notText(path: String, reason: String)
    case emptyFile(path: String)
    case missingColumns(path: String, columns: [String])
    case duplicateColumns(path: String, positions: [Int])
    /// The rejects file cannot be written (missing folder, permissions, full disk).
    case cannotWriteRejects(path: String, reason: String)
    /// An X12 file whose envelope cannot be read (no or malformed ISA, UTF-16, unterminated), or
    /// an X12 file given as something other than claims.
    case badX12(path: String, reason: String)
    /// A bookkeeping check failed; the file's transaction was rolled back.
    case countsDoNotAddUp(path: String, detail: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): cannot read the file: \(reason)"
        case .notText(let path, let reason): "\(path): not a delimited text file: \(reason)"
        case .emptyFile(let path): "\(path): the file is empty (no header line)"
        case .missingColumns(let path, let columns): "\(path): missing required column\(columns.count == 1 ? "" : "s") \(columns.joined(separator: ", "))"
        case .duplicateColumns(let path, let positions):
            "\(path): the header line names a column already named before it (field\(positions.count == 1 ? "" : "s") \(positions.map(String.init).joined(separator: ", ")))"
        case .cannotWriteRejects(let path, let reason): "\(path): cannot write the rejects file: \(reason)"
        case .badX12(let path, let reason): "\(path): cannot read the X12 file: \(reason)"
        case .countsDoNotAddUp(let path, let detail): "\(path): internal check failed, nothing was loaded: \(detail)"
        }
    }
}
