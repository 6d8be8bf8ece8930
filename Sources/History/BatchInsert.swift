import SQLiteDB

/// One value of a row waiting in a `BatchInsert` (text as a range of its byte buffer).
enum BatchValue {
    case null, int(Int64), text(start: Int32, count: Int32)
}

/// Rows for one table inserted many per statement (`INSERT … VALUES (…), (…), …`): one statement
/// run, and one descent of the b-tree cursor, for `rowsPerInsert` rows instead of one each.
final class BatchInsert {
    private let db: Connection
    private let prefix: String
    private let columns: Int
    private let rowsPerInsert: Int
    @exclusivity(unchecked) private var values: [BatchValue] = []
    @exclusivity(unchecked) private var bytes: [UInt8] = []

    /// `prefix` is the statement up to `VALUES` (`INSERT INTO t(a, b)`), naming `columns` columns.
    init(_ db: Connection, _ prefix: String, columns: Int, rowsPerInsert: Int = 32) {
        self.db = db
        self.prefix = prefix
        self.columns = columns
        self.rowsPerInsert = rowsPerInsert
        values.reserveCapacity(columns * rowsPerInsert)
    }

    func appendNull() { values.append(.null) }
    func append(_ value: Int64) { values.append(.int(value)) }
    func append(_ text: UnsafeBufferPointer<UInt8>) {
        values.append(.text(start: Int32(bytes.count), count: Int32(text.count)))
        bytes.append(contentsOf: text)
    }

    /// Ends a row (every column appended); inserts the batch when it is full.
    func endRow() throws {
        if values.count == columns * rowsPerInsert { try flush() }
    }

    /// Inserts the rows waiting.
    func flush() throws {
        let rows = values.count / columns
        guard rows > 0 else { return }
        defer {
            values.removeAll(keepingCapacity: true)
            bytes.removeAll(keepingCapacity: true)
        }
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        let insert = try db.cached(prefix + " VALUES " + Array(repeating: row, count: rows).joined(separator: ", "))
        try bytes.withUnsafeBufferPointer { text in
            for (offset, value) in values.enumerated() {
                let index = Int32(offset + 1)
                switch value {
                case .null: insert.bindNull(at: index)
                case .int(let v): insert.bind(v, at: index)
                case .text(let start, let count):
                    insert.bindTextNoCopy(UnsafeBufferPointer(rebasing: text[Int(start)..<Int(start + count)]), at: index)
                }
            }
            try insert.run()
        }
    }
}
