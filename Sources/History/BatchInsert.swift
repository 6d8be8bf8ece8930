import SQLiteDB

/// Rows for one table inserted many per statement (`INSERT … VALUES (…), (…), …`): one statement
/// run, and one descent of the b-tree cursor, for `rowsPerInsert` rows instead of one each.
final class BatchInsert {
    private let db: Connection
    private let prefix: String
    private let columns: Int
    private let rowsPerInsert: Int
    @exclusivity(unchecked) private var values: [RowValue] = []
    @exclusivity(unchecked) private var bytes: [UInt8] = []
    /// The statement for a full batch, prepared once.
    private var fullInsert: Statement?

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
        let insert: Statement
        if rows == rowsPerInsert {
            if fullInsert == nil { fullInsert = try db.prepare(sql(rows: rows)) }
            insert = fullInsert!
        } else {
            insert = try db.cached(sql(rows: rows))
        }
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
            // Every parameter was bound above.
            try insert.runRebindingAll()
        }
    }

    private func sql(rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        return prefix + " VALUES " + Array(repeating: row, count: rows).joined(separator: ", ")
    }
}
