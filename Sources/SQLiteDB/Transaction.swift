/// How a transaction takes its locks.
public enum TransactionKind: String, Sendable {
    /// Takes the write lock at the first write (or never, for a read-only snapshot).
    case deferred = "DEFERRED"
    /// Takes the write lock at once, so a writer fails or waits up front, not half-way.
    case immediate = "IMMEDIATE"
}

extension Connection {
    /// Runs `body` in a transaction: commits when it returns, rolls back and rethrows when it throws.
    ///
    /// - Throws: the first error `body` throws, or the commit's error.
    public func transaction<T>(_ kind: TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        try execute("BEGIN \(kind.rawValue)")
        let result: T
        do {
            result = try body()
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
        do {
            try execute("COMMIT")
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
        return result
    }

    /// Runs `body` on one consistent read snapshot of the database (WAL readers never block the writer).
    public func readSnapshot<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN DEFERRED")
        defer { try? execute("COMMIT") }
        // Start the read transaction now, so every query in `body` sees the same snapshot.
        _ = try scalarInt("SELECT count(*) FROM sqlite_schema")
        return try body()
    }
}
